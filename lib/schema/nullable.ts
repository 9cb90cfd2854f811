import type { ReferenceObject, SchemaObject, SchemaObjectType } from 'openapi3-ts/oas31';

/**
 * Allows `null` as well, the OpenAPI 3.1 way: `type: ['string', 'null']` (plus `null` in an `enum`), or
 * `anyOf: [schema, { type: 'null' }]` for a `$ref`, a `const` or a composition. Never 3.0's `nullable`.
 */
export function makeNullable(schema: SchemaObject | ReferenceObject): SchemaObject {
  const s = schema as SchemaObject;
  const composite = s.$ref !== undefined || 'const' in s || s.allOf || s.anyOf || s.oneOf;
  if (!composite && s.type !== undefined) {
    const types: SchemaObjectType[] = Array.isArray(s.type) ? [...s.type] : [s.type];
    const nullable: SchemaObject = { ...s, type: types.includes('null') ? types : [...types, 'null'] };
    if (s.enum && !s.enum.includes(null)) nullable.enum = [...s.enum, null];
    return nullable;
  }
  // Without a type, null is already allowed, unless an enum lists the values (`@IsIn(['auto', 0])`).
  if (!composite) return s.enum && !s.enum.includes(null) ? { ...s, enum: [...s.enum, null] } : s;
  return { anyOf: [s, { type: 'null' }] };
}
