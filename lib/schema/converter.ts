import type { SchemaObject } from 'openapi3-ts/oas31';
import type { ValidationFact } from '../facts';

/** What a converter is given: the rule, and the schema built so far for the value it applies to. */
export interface ConverterContext {
  /** The validation rule: its name, constraints and `each` flag, as class-validator recorded them. */
  readonly validation: ValidationFact;
  /** The schema of the value so far (read-only): the property's, or the items' for `each: true`. */
  readonly schema: Readonly<SchemaObject>;
  /** `Order.total`, for error messages. */
  readonly where: string;
}

/**
 * Turns one class-validator rule into JSON Schema keywords, merged into the value's schema. Return
 * `undefined` (or `{}`) when the rule says nothing a schema can express. Throw a `SchemaGenerationError`
 * when the rule cannot be expressed faithfully.
 */
export type SchemaConverter = (context: ConverterContext) => SchemaObject | undefined;

/** Converters by class-validator rule name (`isString`, `min`, or a custom constraint's `name`). */
export type SchemaConverters = Readonly<Record<string, SchemaConverter>>;
