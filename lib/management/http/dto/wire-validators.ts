import { ValidateBy } from 'class-validator';
import type { ValidationOptions } from 'class-validator';
import type { SchemaConverters } from '../../../schema';

/** An RFC 3339 date-time (what OpenAPI's `date-time` format means), with a seconds field and an offset. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

const IS_DATE_TIME = 'isDateTime';
const IS_STRING_RECORD = 'isStringRecord';

/** Epoch milliseconds of an RFC 3339 date-time, or undefined when `value` is not one (or not a real date). */
export function parseDateTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || !DATE_TIME.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** An RFC 3339 date-time string, as every time on the management API's wire is (`2026-12-03T10:00:00Z`). */
export function IsDateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: IS_DATE_TIME,
      validator: {
        validate: (value) => parseDateTime(value) !== undefined,
        defaultMessage: (args) =>
          `${args?.property ?? 'the value'} must be an RFC 3339 date-time with an offset, such as 2026-12-03T10:00:00Z`,
      },
    },
    options,
  );
}

/** A plain object whose values are all strings: endpoint headers and metadata. */
export function IsStringRecord(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: IS_STRING_RECORD,
      validator: {
        validate: (value) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.values(value).every((item) => typeof item === 'string'),
        defaultMessage: (args) => `${args?.property ?? 'the value'} must be an object whose values are strings`,
      },
    },
    options,
  );
}

/**
 * The schemas of the rules above, laid over the built-in converter table when the management API's
 * document is built: the rule that checks a value is the one that documents it.
 */
export const WIRE_CONVERTERS: SchemaConverters = {
  [IS_DATE_TIME]: () => ({ type: 'string', format: 'date-time' }),
  [IS_STRING_RECORD]: () => ({ type: 'object', additionalProperties: { type: 'string' } }),
};
