/*
 * Schema generation: hookspec's buildOpenApi against class-validator-jsonschema's
 * validationMetadatasToSchemas, on the same generated classes, in one process.
 *
 *   npm run bench:schema               print the figures
 *   npm run bench:schema -- --write    and rewrite the schema section of docs/benchmarks.md
 *   npm run bench:schema -- --show     print both schemas of one class, to compare their shape
 */
import 'reflect-metadata';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
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

const CLASS_COUNT = 300;
const WARM_UP_RUNS = 5;
const TIMED_RUNS = 15;
// Compiled to bench/dist/bench/, three levels below the package root.
const DOCS_FILE = join(__dirname, '..', '..', '..', 'docs', 'benchmarks.md');
const START_MARKER = '<!-- bench:schema:start -->';
const END_MARKER = '<!-- bench:schema:end -->';

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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Padded as Prettier pads a Markdown table, so that a written docs file passes `prettier --check`. */
function table(rows: [string[], ...string[][]]): string {
  const [header, ...body] = rows;
  const widths = header.map((_, column) => Math.max(3, ...rows.map((row) => row[column].length)));
  // The first column is left-aligned (labels), the others right-aligned (figures).
  const pad = (cell: string, column: number): string =>
    column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]);
  const line = (cells: string[]): string => `| ${cells.map(pad).join(' | ')} |`;
  const rule = widths.map((width, column) => (column === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`));
  return [line(header), line(rule), ...body.map(line)].join('\n');
}

function machine(): string {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown CPU';
  // Other processes skew absolute times (interleaving keeps the ratio fair), so the load is on record.
  return `${model}, ${availableParallelism()} cores, Node ${process.version}, load average ${loadavg()[0]?.toFixed(2)}`;
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

function writeSection(section: string): void {
  const docs = readFileSync(DOCS_FILE, 'utf8');
  const start = docs.indexOf(START_MARKER);
  const end = docs.indexOf(END_MARKER);
  if (start === -1 || end < start) {
    throw new Error(`${DOCS_FILE} has no ${START_MARKER} … ${END_MARKER} section to rewrite.`);
  }
  const rewritten = `${docs.slice(0, start + START_MARKER.length)}\n\n${section}\n\n${docs.slice(end)}`;
  writeFileSync(DOCS_FILE, rewritten);
  console.log(`\nwrote ${DOCS_FILE}`);
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
  if (args.includes('--write')) writeSection(section);
}

main(process.argv.slice(2));
