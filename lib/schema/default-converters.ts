import * as cv from 'class-validator';
import type { SchemaObject } from 'openapi3-ts/oas31';
import { SchemaGenerationError } from '../errors';
import { API_PROPERTY_RULE } from '../facts';
import { apiPropertyConverter } from './api-property.converter';
import type { SchemaConverter, SchemaConverters } from './converter';

const fixed =
  (schema: SchemaObject): SchemaConverter =>
  () => ({ ...schema });

const constraint =
  (build: (value: unknown) => SchemaObject): SchemaConverter =>
  ({ validation }) =>
    build(validation.constraints[0]);

/** The JSON type that a list of allowed values has in common, if any. */
function typeOfValues(values: readonly unknown[]): SchemaObject {
  if (values.length === 0) return {};
  if (values.every((v) => typeof v === 'string')) return { type: 'string' };
  if (values.every((v) => typeof v === 'number' && Number.isInteger(v))) return { type: 'integer' };
  if (values.every((v) => typeof v === 'number')) return { type: 'number' };
  if (values.every((v) => typeof v === 'boolean')) return { type: 'boolean' };
  return {};
}

/**
 * Values of a TypeScript enum. Numeric members carry a reverse mapping (`{ 0: 'A', A: 0 }`): a numeric key
 * whose value names a member that maps back to a number. Those keys are skipped.
 */
function enumValues(entity: unknown): unknown[] {
  if (typeof entity !== 'object' || entity === null) return [];
  const record = entity as Record<string, unknown>;
  return Object.keys(record)
    .filter((key) => !(typeof record[record[key] as string] === 'number' && /^-?\d+(\.\d+)?$/.test(key)))
    .map((key) => record[key]);
}

function allowed(values: unknown[]): SchemaObject {
  const unique = [...new Set(values)];
  return { ...typeOfValues(unique), enum: unique };
}

const matches: SchemaConverter = ({ validation, where }) => {
  const [pattern, modifiers] = validation.constraints as [RegExp | string, string | undefined];
  const source = pattern instanceof RegExp ? pattern.source : String(pattern);
  const flags = (pattern instanceof RegExp ? pattern.flags : (modifiers ?? '')).replace(/[gyd]/g, '');
  if (flags.replace('u', '') !== '') {
    throw new SchemaGenerationError(
      'unsupported-pattern-flags',
      `${where}: @Matches(/${source}/${flags}) uses the flag${flags.length > 1 ? 's' : ''} '${flags}', which a JSON Schema ` +
        `pattern cannot carry. Write the pattern without flags (e.g. [aA] instead of /a/i), or state the schema with ` +
        `@WebhookProperty({ schema: { type: 'string', pattern: '…' } }).`,
    );
  }
  return { type: 'string', pattern: source };
};

const isIp: SchemaConverter = ({ validation }) => {
  const version = String(validation.constraints[0] ?? '');
  if (version === '4') return { type: 'string', format: 'ipv4' };
  if (version === '6') return { type: 'string', format: 'ipv6' };
  return { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] };
};

const isNotEmpty: SchemaConverter = ({ schema }) => {
  if (schema.type === 'string' && schema.minLength === undefined) return { minLength: 1 };
  return undefined;
};

/**
 * The built-in table: class-validator rule name (its exported constants) → JSON Schema 2020-12 keywords. Rules that are not in
 * the table contribute nothing; add your own through `buildOpenApi({ converters })`.
 */
export const defaultConverters: SchemaConverters = {
  [cv.IS_STRING]: fixed({ type: 'string' }),
  [cv.IS_NUMBER]: fixed({ type: 'number' }),
  [cv.IS_INT]: fixed({ type: 'integer' }),
  [cv.IS_BOOLEAN]: fixed({ type: 'boolean' }),
  [cv.IS_DATE]: fixed({ type: 'string', format: 'date-time' }),
  // class-validator accepts ISO 8601 dates without a time too (`2026-01-02`), so both formats are allowed.
  [cv.IS_ISO8601]: fixed({ type: 'string', anyOf: [{ format: 'date-time' }, { format: 'date' }] }),
  [cv.IS_DATE_STRING]: fixed({ type: 'string', anyOf: [{ format: 'date-time' }, { format: 'date' }] }),
  [cv.IS_EMAIL]: fixed({ type: 'string', format: 'email' }),
  // Without require_protocol, class-validator accepts `example.com`: a URI reference, not a URI.
  [cv.IS_URL]: constraint((options) => ({
    type: 'string',
    format: (options as { require_protocol?: boolean } | undefined)?.require_protocol ? 'uri' : 'uri-reference',
  })),
  [cv.IS_UUID]: fixed({ type: 'string', format: 'uuid' }),
  [cv.IS_IP]: isIp,
  [cv.IS_ENUM]: ({ validation }) => allowed(enumValues(validation.constraints[0])),
  [cv.IS_IN]: constraint((values) => allowed(Array.isArray(values) ? values : [])),
  [cv.EQUALS]: constraint((value) => ({ const: value })),
  [cv.MIN]: constraint((value) => ({ minimum: value as number })),
  [cv.MAX]: constraint((value) => ({ maximum: value as number })),
  [cv.IS_POSITIVE]: fixed({ exclusiveMinimum: 0 }),
  [cv.IS_NEGATIVE]: fixed({ exclusiveMaximum: 0 }),
  [cv.MIN_LENGTH]: constraint((value) => ({ minLength: value as number })),
  [cv.MAX_LENGTH]: constraint((value) => ({ maxLength: value as number })),
  [cv.IS_LENGTH]: ({ validation }) => {
    const [min, max] = validation.constraints as [number | undefined, number | undefined];
    return { ...(min != null ? { minLength: min } : {}), ...(max != null ? { maxLength: max } : {}) };
  },
  [cv.MATCHES]: matches,
  [cv.IS_NOT_EMPTY]: isNotEmpty,
  [cv.ARRAY_NOT_EMPTY]: fixed({ minItems: 1 }),
  [cv.ARRAY_MIN_SIZE]: constraint((value) => ({ minItems: value as number })),
  [cv.ARRAY_MAX_SIZE]: constraint((value) => ({ maxItems: value as number })),
  [cv.ARRAY_UNIQUE]: fixed({ uniqueItems: true }),
  [cv.IS_ARRAY]: fixed({ type: 'array' }),
  [cv.IS_OBJECT]: fixed({ type: 'object' }),
  [cv.IS_NOT_EMPTY_OBJECT]: fixed({ type: 'object', minProperties: 1 }),
  // @nestjs/swagger's @ApiProperty, when the DTO carries it: its keywords over class-validator's.
  [API_PROPERTY_RULE]: apiPropertyConverter,
};

/** Rules whose keywords depend on the type the other rules settle, so they run last. */
export const LATE_CONVERTERS: ReadonlySet<string> = new Set([cv.IS_NOT_EMPTY]);
