/*
 * Schema generation: hookspec's buildOpenApi against class-validator-jsonschema's
 * validationMetadatasToSchemas, on the same generated classes, in one process.
 *
 *   npm run bench:schema               print the figures
 *   npm run bench:schema -- --write    and rewrite the schema section of docs/benchmarks.md
 *   npm run bench:schema -- --show     print both schemas of one class, to compare their shape
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsDate,
  IsEmail,
  IsEnum,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { buildOpenApi, Webhook } from '../lib';
import { machine, median, table, writeSection } from './report';

const CLASS_COUNT = 300;
const WARM_UP_RUNS = 5;
const TIMED_RUNS = 15;
// Compiled to bench/dist/bench/, three levels below the package root.

// class-transformer exports its storage only from this path; class-validator-jsonschema needs it to read @Type.
type TransformerStorageModule = typeof import('class-transformer/types/storage');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as TransformerStorageModule;

enum Status {
  Active = 'active',
  Paused = 'paused',
  Cancelled = 'cancelled',
}

type Decorator = (target: object, propertyKey: string) => void;

/**
 * Generated classes have no compiler-emitted `design:type`, so it is set here; decorators are applied
 * bottom-up, as TypeScript applies them, so the list reads like the source it stands for.
 */
function decorateProperty(cls: Function, property: string, designType: Function, ...decorators: Decorator[]): void {
  Reflect.defineMetadata('design:type', designType, cls.prototype, property);
  for (const decorate of [...decorators].reverse()) decorate(cls.prototype, property);
}

/**
 * Payload000 … Payload299, ten properties each. Class i nests class i/10, as real payloads share a few
 * classes (Customer, Money): the graph stays shallow, and Payload000 refers to itself.
 */
function generateClasses(count: number): Function[] {
  const classes: Function[] = [];
  const toDate = Type(() => Date);
  for (let i = 0; i < count; i++) {
    const cls = class {};
    Object.defineProperty(cls, 'name', { value: `Payload${String(i).padStart(3, '0')}` });
    const nested = classes[Math.floor(i / 10)] ?? cls;
    const toNested = Type(() => nested);
    // Constraint values vary by class so that no two classes are identical.
    decorateProperty(cls, 'slug', String, IsString(), MinLength(1 + (i % 5)), Matches(/^[a-z0-9-]+$/));
    decorateProperty(cls, 'amount', Number, IsNumber(), Min(0), Max(1000 + i));
    decorateProperty(cls, 'quantity', Number, IsInt(), Min(1));
    decorateProperty(cls, 'active', Boolean, IsBoolean());
    decorateProperty(cls, 'createdAt', Date, toDate, IsDate());
    decorateProperty(cls, 'status', String, IsEnum(Status));
    decorateProperty(cls, 'note', String, IsOptional(), IsString(), MaxLength(50 + i));
    decorateProperty(cls, 'tags', Array, IsArray(), IsString({ each: true }), MaxLength(20, { each: true }));
    decorateProperty(cls, 'related', nested, ValidateNested(), toNested);
    decorateProperty(cls, 'contact', String, i % 2 === 0 ? IsEmail() : IsUUID());
    Webhook(`event-${i}`)(cls);
    classes.push(cls);
  }
  return classes;
}

type Schemas = Record<string, { properties?: Record<string, unknown>; required?: string[] }>;

const classes = generateClasses(CLASS_COUNT);
const hookspec = (): Schemas => buildOpenApi({ webhooks: classes }).components?.schemas as Schemas;
// Its README's setup for @Type, and $refs into components/schemas, where an OpenAPI document keeps them.
const alternative = (): Schemas =>
  validationMetadatasToSchemas({
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: '#/components/schemas/',
  }) as Schemas;

/**
 * Both must describe the same classes with the same properties and required lists; otherwise the ratio
 * would compare different work (e.g. a stray decorated class that only the alternative converts).
 */
function checkLikeForLike(ours: Schemas, theirs: Schemas): void {
  const names = (schemas: Schemas): string => Object.keys(schemas).sort().join(',');
  const shape = (schema: Schemas[string] | undefined): string =>
    JSON.stringify([Object.keys(schema?.properties ?? {}).sort(), [...(schema?.required ?? [])].sort()]);
  if (Object.keys(ours).length !== CLASS_COUNT || names(ours) !== names(theirs)) {
    throw new Error(
      `expected the same ${CLASS_COUNT} schemas from both; hookspec gave ${Object.keys(ours).length}, ` +
        `class-validator-jsonschema ${Object.keys(theirs).length}. Is another decorated class loaded?`,
    );
  }
  for (const name of Object.keys(ours)) {
    if (shape(ours[name]) !== shape(theirs[name])) {
      throw new Error(`${name}: properties or required differ: ${shape(ours[name])} vs ${shape(theirs[name])}`);
    }
  }
}

interface Result {
  readonly label: string;
  readonly times: number[];
}

function time(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/** Interleaved, and in alternating order, so that drift (GC pressure, CPU frequency) hits both alike. */
function measure(): [Result, Result] {
  const ours: Result = { label: 'hookspec `buildOpenApi`', times: [] };
  const theirs: Result = { label: 'class-validator-jsonschema `validationMetadatasToSchemas`', times: [] };
  for (let i = 0; i < WARM_UP_RUNS; i++) {
    hookspec();
    alternative();
  }
  for (let i = 0; i < TIMED_RUNS; i++) {
    if (i % 2 === 0) {
      ours.times.push(time(hookspec));
      theirs.times.push(time(alternative));
    } else {
      theirs.times.push(time(alternative));
      ours.times.push(time(hookspec));
    }
  }
  return [ours, theirs];
}

function report(results: [Result, Result]): string {
  const [ours, theirs] = results;
  const rows: [string[], ...string[][]] = [['', 'median ms', 'ops/s', 'min ms', 'runs']];
  for (const { label, times } of results) {
    const ms = median(times);
    rows.push([label, ms.toFixed(1), (1000 / ms).toFixed(1), Math.min(...times).toFixed(1), String(times.length)]);
  }
  const ratio = median(ours.times) / median(theirs.times);
  const verdict = ratio <= 1 ? 'met' : 'not met';
  return [
    `Measured on ${new Date().toISOString().slice(0, 10)}: ${machine()}. ${CLASS_COUNT} classes of 10 properties; ` +
      `${WARM_UP_RUNS} warm-up runs, then ${TIMED_RUNS} timed runs of each, interleaved.`,
    '',
    table(rows),
    '',
    `Ratio hookspec / class-validator-jsonschema (medians): **${ratio.toFixed(2)}** (target <= 1.00: ${verdict}).`,
  ].join('\n');
}

function main(args: string[]): void {
  const ours = hookspec();
  const theirs = alternative();
  checkLikeForLike(ours, theirs);
  if (args.includes('--show')) {
    const name = 'Payload001';
    console.log(`hookspec, components.schemas.${name}:\n${JSON.stringify(ours[name], null, 2)}\n`);
    console.log(`class-validator-jsonschema, ${name}:\n${JSON.stringify(theirs[name], null, 2)}`);
    return;
  }
  const section = report(measure());
  console.log(section);
  if (args.includes('--write')) writeSection('schema', section);
}

main(process.argv.slice(2));
