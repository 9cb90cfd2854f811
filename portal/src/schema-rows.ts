/*
 * A JSON Schema as the rows of a table a person can read: one row per field, with its dotted path
 * (`amount.cents`, `items[].sku`), its type, whether it is required, and its description. `$ref`s are
 * followed into the schema's own `$defs` (event-type schemas are self-contained).
 */
import type { JsonSchema } from './wire';

export interface SchemaRow {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly description: string;
}

/** Deep enough for any payload a person reads; it also stops a self-referencing schema. */
const MAX_DEPTH = 8;

export function schemaRows(root: JsonSchema): SchemaRow[] {
  const rows: SchemaRow[] = [];
  const walk = (schema: JsonSchema, prefix: string, depth: number) => {
    const resolved = resolve(root, schema);
    if (depth > MAX_DEPTH) return;
    // A nullable object is `anyOf: [{ $ref }, { type: 'null' }]`: its fields are those of its variants.
    for (const variant of [...(resolved.anyOf ?? []), ...(resolved.oneOf ?? []), ...(resolved.allOf ?? [])]) {
      walk(variant, prefix, depth + 1);
    }
    if (resolved.properties === undefined) return;
    const required = new Set(resolved.required ?? []);
    for (const [name, raw] of Object.entries(resolved.properties)) {
      const property = resolve(root, raw);
      const path = prefix === '' ? name : `${prefix}.${name}`;
      rows.push({
        path,
        type: typeName(root, property),
        required: required.has(name),
        description: describe(property),
      });
      walk(property, path, depth + 1);
      const items = property.items === undefined ? undefined : resolve(root, property.items);
      if (items !== undefined) walk(items, `${path}[]`, depth + 1);
    }
  };
  walk(root, '', 0);
  return rows;
}

function resolve(root: JsonSchema, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; current.$ref !== undefined && hops < MAX_DEPTH; hops++) {
    const name = /^#\/\$defs\/(.+)$/.exec(current.$ref)?.[1];
    const target = name === undefined ? undefined : root.$defs?.[decodeURIComponent(name)];
    if (target === undefined) break;
    current = { ...target, ...withoutRef(current) };
  }
  return current;
}

function withoutRef(schema: JsonSchema): JsonSchema {
  const { $ref: _ref, ...rest } = schema;
  return rest;
}

function typeName(root: JsonSchema, schema: JsonSchema): string {
  if (schema.const !== undefined) return `always ${JSON.stringify(schema.const)}`;
  if (schema.enum !== undefined) return `one of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants !== undefined) return variants.map((variant) => typeName(root, resolve(root, variant))).join(' or ');
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const names = types.map((type) => {
    if (type === 'array') {
      const items = schema.items === undefined ? undefined : resolve(root, schema.items);
      return items === undefined ? 'array' : `array of ${typeName(root, items)}`;
    }
    if (type === 'string' && schema.format !== undefined) return `string (${schema.format})`;
    return type;
  });
  return names.length === 0 ? 'any' : names.join(' or ');
}

function describe(schema: JsonSchema): string {
  const parts: string[] = [];
  if (schema.description !== undefined) parts.push(schema.description);
  if (schema.minimum !== undefined) parts.push(`At least ${schema.minimum}.`);
  if (schema.maximum !== undefined) parts.push(`At most ${schema.maximum}.`);
  if (schema.deprecated) parts.push('Deprecated.');
  return parts.join(' ');
}
