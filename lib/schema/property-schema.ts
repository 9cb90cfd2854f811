import * as cv from 'class-validator';
import type { ReferenceObject, SchemaObject } from 'openapi3-ts/oas31';
import { SchemaGenerationError } from '../errors';
import { resolveTypeReference } from '../metadata';
import type { WebhookPropertyOptions } from '../metadata';
import type { PropertyFacts, ValidationFact } from '../facts';
import type { SchemaConverters } from './converter';
import { LATE_CONVERTERS } from './default-converters';
import { makeNullable } from './nullable';
import { isBuiltInType, isCollectionType, isConstrained, isOpaqueType, primitiveSchema } from './type-schema';

/** What building one property needs from the generator. */
export interface PropertyContext {
  readonly owner: Function;
  /** Classes and properties from the webhook's payload down to the owner, for error messages. */
  readonly path: readonly string[];
  readonly converters: SchemaConverters;
  readonly refFor: (type: Function, path: readonly string[]) => ReferenceObject;
}

export interface PropertySchema {
  readonly schema: SchemaObject | ReferenceObject;
  readonly required: boolean;
}

interface DeclaredType {
  /** The value's type, or the items' type for an array. */
  readonly type: Function | undefined;
  readonly array: boolean;
  readonly unique: boolean;
}

export function buildPropertySchema(facts: PropertyFacts, context: PropertyContext): PropertySchema {
  const options = facts.options ?? {};
  const where = `${context.owner.name}.${facts.propertyName}`;
  const path = [...context.path, facts.propertyName];
  let schema: SchemaObject = options.schema
    ? (structuredClone(options.schema) as SchemaObject)
    : inferSchema(facts, context, where, path);
  if (options.nullable || facts.optional) schema = makeNullable(schema);
  return {
    schema: annotate(schema, options),
    required: !facts.optional && !facts.conditional && !facts.documentedOptional,
  };
}

function inferSchema(facts: PropertyFacts, context: PropertyContext, where: string, path: string[]): SchemaObject {
  const declared = declaredType(facts, where, path);
  const itemRules = facts.validations.filter((rule) => rule.each);
  const ownRules = facts.validations.filter((rule) => !rule.each);
  if (!declared.array) {
    const schema = applyConverters(
      valueSchema(declared.type, context, where, path),
      facts.validations,
      context,
      where,
      path,
    );
    if (!isConstrained(schema)) throw uninferable(facts, where, path);
    return schema;
  }
  const items = facts.options?.items
    ? (structuredClone(facts.options.items) as SchemaObject)
    : applyConverters(valueSchema(declared.type, context, where, path), itemRules, context, where, path);
  if (!isConstrained(items) && !facts.options?.items) {
    throw new SchemaGenerationError(
      'uninferable-type',
      `cannot infer the item type of the array ${where}. Add @Type(() => Item) with @ValidateNested({ each: true }), ` +
        `a validator with each: true such as @IsString({ each: true }), or @WebhookProperty({ type: () => [Item] }).`,
      path,
    );
  }
  const array: SchemaObject = { type: 'array', items, ...(declared.unique ? { uniqueItems: true } : {}) };
  return applyConverters(array, ownRules, context, where, path);
}

function declaredType(facts: PropertyFacts, where: string, path: string[]): DeclaredType {
  // TypeScript records `T[] | null` as Object: item rules (`each: true`) or an `items` option still say "array".
  const opaqueButItemised =
    isOpaqueType(facts.designType) && (facts.options?.items !== undefined || facts.validations.some((r) => r.each));
  const collection =
    isCollectionType(facts.designType) ||
    opaqueButItemised ||
    facts.validations.some((r) => !r.each && r.name === cv.IS_ARRAY);
  const unique = facts.designType === Set;
  if (facts.options?.type) {
    const resolved = facts.options.type();
    const [type, array] = Array.isArray(resolved) ? [resolved[0], true] : [resolved, false];
    if (typeof type !== 'function') {
      throw new SchemaGenerationError(
        'invalid-type',
        `@WebhookProperty({ type }) on ${where} returned ${String(type)}; return a class or a constructor such as String, ` +
          `or [Item] for an array. A class declared later in the file is fine inside the arrow function.`,
        path,
      );
    }
    return { type, array, unique };
  }
  if (facts.transformerType) {
    const type = resolveTypeReference(facts.transformerType);
    if (typeof type !== 'function') {
      throw new SchemaGenerationError(
        'invalid-type',
        `@Type(() => …) on ${where} returned ${String(type)}; it must return a class. Check for a circular import that ` +
          `leaves the class undefined when the thunk runs.`,
        path,
      );
    }
    return { type, array: collection, unique };
  }
  return collection ? { type: undefined, array: true, unique } : { type: facts.designType, array: false, unique };
}

function valueSchema(
  type: Function | undefined,
  context: PropertyContext,
  where: string,
  path: string[],
): SchemaObject {
  if (isOpaqueType(type) || isCollectionType(type)) return {};
  const known = type && primitiveSchema(type);
  if (known) return known;
  if (type === Map) return { type: 'object' };
  if (isBuiltInType(type as Function)) {
    throw new SchemaGenerationError(
      'uninferable-type',
      `${where} has the type ${(type as Function).name}, which has no JSON form that hookspec can describe. State the ` +
        `schema of what is sent with @WebhookProperty({ schema: { … } }).`,
      path,
    );
  }
  return context.refFor(type as Function, path) as SchemaObject;
}

function applyConverters(
  initial: SchemaObject,
  rules: readonly ValidationFact[],
  context: PropertyContext,
  where: string,
  path: readonly string[],
): SchemaObject {
  const ordered = [
    ...rules.filter((r) => !LATE_CONVERTERS.has(r.name)),
    ...rules.filter((r) => LATE_CONVERTERS.has(r.name)),
  ];
  let schema = initial;
  for (const validation of ordered) {
    const converter = context.converters[validation.name];
    const fragment = runConverter(() => converter?.({ validation, schema, where }), path);
    if (!fragment) continue;
    if (schema.$ref !== undefined) {
      // The referenced schema already states the type; keep only the extra constraints.
      const { type: _type, ...constraints } = fragment;
      schema = { ...schema, ...constraints };
    } else if (schema.type === 'integer' && fragment.type === 'number') {
      // @IsInt() and @IsNumber() together mean an integer, whichever is written first.
      schema = { ...schema, ...fragment, type: 'integer' };
    } else {
      schema = { ...schema, ...fragment };
    }
  }
  return schema;
}

/** Converters know the property (`where`) but not how the payload reached it; the path is added here. */
function runConverter(run: () => SchemaObject | undefined, path: readonly string[]): SchemaObject | undefined {
  try {
    return run();
  } catch (error) {
    if (error instanceof SchemaGenerationError && error.path.length === 0) {
      throw new SchemaGenerationError(error.code, error.message, path, { cause: error });
    }
    throw error;
  }
}

function annotate(schema: SchemaObject, options: WebhookPropertyOptions): SchemaObject {
  const annotated: SchemaObject = { ...schema };
  if (options.title !== undefined) annotated.title = options.title;
  if (options.description !== undefined) annotated.description = options.description;
  if (options.format !== undefined) annotated.format = options.format;
  if (options.default !== undefined) annotated.default = toJson(options.default);
  const examples = [...(options.example !== undefined ? [options.example] : []), ...(options.examples ?? [])];
  if (examples.length > 0) annotated.examples = examples.map(toJson);
  if (options.deprecated) annotated.deprecated = true;
  if (options.readOnly) annotated.readOnly = true;
  return annotated;
}

/** Example values as they appear on the wire: a Date becomes its ISO string. */
function toJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function uninferable(facts: PropertyFacts, where: string, path: string[]): SchemaGenerationError {
  const fix =
    `Add a type validator such as @IsString(), state the type with @WebhookProperty({ type: () => Address }), ` +
    `or give the schema with @WebhookProperty({ schema: { oneOf: [ … ] } }) (schema: {} allows any value).`;
  if (!facts.hasDesignMetadata) {
    return new SchemaGenerationError(
      'uninferable-type',
      `cannot infer the type of ${where}: there is no design:type metadata. Compile with "emitDecoratorMetadata": true ` +
        `(tsx and esbuild drop it; tsc, ts-node and SWC with decoratorMetadata keep it). ${fix}`,
      path,
    );
  }
  return new SchemaGenerationError(
    'uninferable-type',
    `cannot infer the type of ${where}: TypeScript records it as ${facts.designType?.name ?? 'undefined'} ` +
      `(a union, an interface, a type alias, any or unknown) and no validator states a type. ${fix}`,
    path,
  );
}
