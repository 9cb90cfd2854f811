import type { ReferenceObject, SchemaObject } from 'openapi3-ts/oas31';

/**
 * A type reference: a class, or a constructor of a primitive (`String`, `Number`, `Boolean`, `Date`).
 * Wrap it in an array to say "array of": `() => [OrderLine]`.
 */
export type TypeReference = Function | [Function];

/** What `@WebhookProperty` can say about a property that class-validator cannot. */
export interface WebhookPropertyOptions {
  /** Human-readable description of the property. Default: none. */
  description?: string;
  /** Title of the property. Default: none. */
  title?: string;
  /** One example value, emitted as JSON Schema `examples: [value]`. Default: none. */
  example?: unknown;
  /** Several example values, emitted as JSON Schema `examples`. Default: none. */
  examples?: unknown[];
  /** A JSON Schema format (`date`, `int64`, `hostname`, …); overrides an inferred one. Default: inferred. */
  format?: string;
  /** Marks the property as deprecated. Default: `false` (left out). */
  deprecated?: boolean;
  /** Allows `null` as well (`type: [..., 'null']`) while keeping the property required. Default: `false`. */
  nullable?: boolean;
  /** Marks the property as read-only. Default: `false` (left out). */
  readOnly?: boolean;
  /** The default value. Default: none. */
  default?: unknown;
  /**
   * The property's type when it cannot be inferred from `design:type`, class-validator or
   * class-transformer: `() => Address`, `() => [String]`. Default: inferred.
   */
  type?: () => TypeReference;
  /** The schema of array items, when neither `type`, `@Type` nor an `each: true` validator says it. */
  items?: SchemaObject | ReferenceObject;
  /**
   * The whole schema of the property, used instead of anything inferred: the escape hatch for unions,
   * records and `unknown` (`{ oneOf: [...] }`, `{ type: 'object', additionalProperties: { type: 'number' } }`,
   * `{}` for any value). `description`, `nullable` and the other options still apply on top. Default: inferred.
   */
  schema?: SchemaObject | ReferenceObject;
}
