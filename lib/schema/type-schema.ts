import type { SchemaObject } from 'openapi3-ts/oas31';

/** Schemas of the types that serialise to a JSON primitive. Classes are referenced, not listed here. */
const PRIMITIVES = new Map<Function, SchemaObject>([
  [String, { type: 'string' }],
  [Number, { type: 'number' }],
  [Boolean, { type: 'boolean' }],
  // instanceToPlain keeps a Date and JSON.stringify writes toISOString(): always a full date-time.
  [Date, { type: 'string', format: 'date-time' }],
]);

/** Types that say nothing useful about the value: TypeScript records `Object` for unions, interfaces, `any`. */
export function isOpaqueType(type: Function | undefined): boolean {
  return type === undefined || type === Object;
}

export function isCollectionType(type: Function | undefined): boolean {
  return type === Array || type === Set;
}

export function primitiveSchema(type: Function): SchemaObject | undefined {
  const schema = PRIMITIVES.get(type);
  return schema && { ...schema };
}

/** A constructor of the platform (Buffer, Map, Promise, …) rather than a payload class of the user's. */
export function isBuiltInType(type: Function): boolean {
  return (globalThis as Record<string, unknown>)[type.name] === type || type === Buffer;
}

/** Whether a schema says what kind of value is allowed. */
export function isConstrained(schema: SchemaObject): boolean {
  return (
    schema.type !== undefined ||
    schema.$ref !== undefined ||
    schema.enum !== undefined ||
    'const' in schema ||
    schema.anyOf !== undefined ||
    schema.oneOf !== undefined ||
    schema.allOf !== undefined
  );
}
