/*
 * `@ApiProperty`'s keywords (the rule `apiProperty` that lib/facts reads from @nestjs/swagger's metadata)
 * as JSON Schema, laid over what class-validator's rules gave.
 */
import type { SchemaObject, SchemaObjectType } from 'openapi3-ts/oas31';
import type { ApiPropertyMetadata } from '../facts';
import type { SchemaConverter } from './converter';

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
