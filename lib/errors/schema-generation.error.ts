import { HookspecError } from './hookspec.error';

/**
 * The codes a `SchemaGenerationError` is thrown with; `unsupported-rule` is the one for a converter of
 * yours that cannot describe a rule.
 */
export type SchemaGenerationErrorCode =
  | 'unsupported-rule'
  | 'uninferable-type'
  | 'invalid-type'
  | 'duplicate-property'
  | 'invalid-schema-name'
  | 'schema-name-conflict'
  | 'unsupported-pattern-flags';

/**
 * A payload class cannot be turned into a JSON Schema: a property whose type cannot be inferred, two
 * classes with one schema name, a converter that failed. `path` lists the classes and properties from
 * the webhook's payload down to the fault, e.g. `[Order] [lines] [OrderLine] [sku]`.
 */
export class SchemaGenerationError extends HookspecError<SchemaGenerationErrorCode> {
  override name = 'SchemaGenerationError';

  constructor(
    code: SchemaGenerationErrorCode,
    message: string,
    readonly path: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(code, path.length > 0 ? `${path.map((p) => `[${p}]`).join(' ')} ${message}` : message, options);
  }
}
