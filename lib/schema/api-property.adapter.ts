/*
 * What @nestjs/swagger's `@ApiProperty` / `@ApiPropertyOptional` say about a property, read from the
 * metadata those decorators write (their reflect-metadata keys, stable since @nestjs/swagger 4), never by
 * importing @nestjs/swagger: the schema layer must not load Nest. A DTO that is both a request body and a
 * webhook payload is then described once, with what Nest would document plus class-validator's rules.
 *
 * Annotations (description, example, default, …) become `@WebhookProperty` options laid under the user's
 * own; keywords (type, enum, bounds, pattern) go through the converter table as the rule `apiProperty`.
 */
import type { SchemaObject, SchemaObjectType } from 'openapi3-ts/oas31';
import type { TypeReference, WebhookPropertyOptions } from '../metadata';
import type { SchemaConverter } from './converter';
import type { ValidationFact } from './class-metadata.adapter';

/** @nestjs/swagger's `DECORATORS.API_MODEL_PROPERTIES` and `API_MODEL_PROPERTIES_ARRAY`. */
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';
const API_MODEL_PROPERTIES_ARRAY = 'swagger/apiModelPropertiesArray';

/** The converter-table name of the rule that carries `@ApiProperty`'s keywords. */
export const API_PROPERTY_RULE = 'apiProperty';

/** What `@ApiProperty` adds to a property's facts. */
export interface ApiPropertyFacts {
  readonly options: WebhookPropertyOptions;
  /** `@ApiPropertyOptional()` / `required: false`: the property may be missing. */
  readonly optional: boolean;
  readonly rule: ValidationFact;
}

type ApiPropertyMetadata = Record<string, unknown>;

const JSON_TYPES: ReadonlySet<string> = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);
/** Keywords that @nestjs/swagger copies into the schema as they are written in `@ApiProperty`. */
const KEYWORDS = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
] as const;
/** Those that Nest moves to `items` when the property is an array. */
const ITEM_KEYWORDS: ReadonlySet<string> = new Set(['minimum', 'maximum', 'minLength', 'maxLength', 'pattern']);

/** The names of a class's own `@ApiProperty` properties, in declaration order. */
export function ownApiPropertyNames(cls: Function): string[] {
  const keys: unknown = Reflect.getOwnMetadata(API_MODEL_PROPERTIES_ARRAY, cls.prototype);
  if (!Array.isArray(keys)) return [];
  return keys.filter((key): key is string => typeof key === 'string' && key.startsWith(':')).map((key) => key.slice(1));
}

/** `@ApiProperty` of one property (inherited included, as Nest reads it), or undefined. */
export function readApiProperty(target: Function, propertyName: string): ApiPropertyFacts | undefined {
  const metadata: unknown = Reflect.getMetadata(API_MODEL_PROPERTIES, target.prototype, propertyName);
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const m = metadata as ApiPropertyMetadata;
  const options: WebhookPropertyOptions = {};
  if (typeof m.description === 'string') options.description = m.description;
  if (typeof m.title === 'string') options.title = m.title;
  if (typeof m.format === 'string') options.format = m.format;
  if (m.example !== undefined) options.example = m.example;
  if (Array.isArray(m.examples)) options.examples = m.examples;
  if (m.default !== undefined) options.default = m.default;
  if (m.deprecated === true) options.deprecated = true;
  if (m.nullable === true) options.nullable = true;
  if (m.readOnly === true) options.readOnly = true;
  const type = typeReference(m);
  if (type !== undefined) options.type = () => type;
  return { options, optional: m.required === false, rule: { name: API_PROPERTY_RULE, constraints: [m], each: false } };
}

/**
 * A class named by `type: Line`, `type: () => Line` or `type: [Line]` (or `isArray`), when that says more
 * than `design:type`: Nest records `design:type` there when `type` is not given.
 */
function typeReference(m: ApiPropertyMetadata): TypeReference | undefined {
  let type = m.type;
  if (typeof type === 'function' && type.name === 'type' && !type.prototype) type = (type as () => unknown)();
  const array = Array.isArray(type) || m.isArray === true;
  const item: unknown = Array.isArray(type) ? type[0] : type;
  if (typeof item !== 'function' || item === Object || item === Array) return undefined;
  return array ? [item] : item;
}

/** Enum values as @nestjs/swagger lists them: members, without the reverse mapping of numeric enums. */
function enumValues(entity: unknown): unknown[] {
  if (typeof entity === 'function') return enumValues((entity as () => unknown)());
  if (Array.isArray(entity)) return entity;
  if (typeof entity !== 'object' || entity === null) return [];
  const record = entity as Record<string, unknown>;
  const numeric = new Set(
    Object.values(record)
      .filter((v) => typeof v === 'number')
      .map(String),
  );
  return Object.keys(record)
    .filter((key) => !numeric.has(key))
    .map((key) => record[key]);
}

function enumType(values: readonly unknown[]): SchemaObjectType {
  if (values.some((v) => typeof v === 'string')) return 'string';
  if (values.some((v) => typeof v === 'boolean')) return 'boolean';
  return values.every((v) => Number.isInteger(v)) ? 'integer' : 'number';
}

/**
 * `@ApiProperty`'s keywords, laid over what class-validator's rules gave: a JSON type name (`type:
 * 'integer'`), `enum` (Nest moves it to `items` for `isArray`), bounds and patterns. A 3.0-style boolean
 * `exclusiveMinimum` is written the 3.1 way.
 */
export const apiPropertyConverter: SchemaConverter = ({ validation, schema }) => {
  const m = validation.constraints[0] as ApiPropertyMetadata;
  const isArray = schema.type === 'array' || (Array.isArray(schema.type) && schema.type.includes('array'));
  const own: SchemaObject = {};
  const items: SchemaObject = {};
  if (typeof m.type === 'string' && JSON_TYPES.has(m.type) && !isArray) own.type = m.type as SchemaObjectType;
  if (m.enum !== undefined) {
    const values = enumValues(m.enum);
    Object.assign(isArray ? items : own, { type: enumType(values), enum: values });
  }
  if (isArray && typeof m.items === 'object' && m.items !== null && Array.isArray((m.items as SchemaObject).enum)) {
    const values = (m.items as SchemaObject).enum as unknown[];
    Object.assign(items, { type: enumType(values), enum: values });
  }
  for (const key of KEYWORDS) {
    const value = m[key];
    if (value === undefined || typeof value === 'boolean') continue;
    (isArray && ITEM_KEYWORDS.has(key) ? items : own)[key] = value as never;
  }
  exclusiveBound(m, 'exclusiveMinimum', 'minimum', own);
  exclusiveBound(m, 'exclusiveMaximum', 'maximum', own);
  if (Object.keys(items).length > 0) own.items = { ...(schema.items as SchemaObject | undefined), ...items };
  return own;
};

/** 3.0's `{ minimum: 0, exclusiveMinimum: true }` is 3.1's `{ exclusiveMinimum: 0 }`. */
function exclusiveBound(
  m: ApiPropertyMetadata,
  flag: 'exclusiveMinimum' | 'exclusiveMaximum',
  bound: 'minimum' | 'maximum',
  into: SchemaObject,
): void {
  if (m[flag] !== true || typeof m[bound] !== 'number') return;
  into[flag] = m[bound] as number;
  delete into[bound];
}
