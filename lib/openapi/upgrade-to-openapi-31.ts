import { OpenApiDocumentError } from '../errors';

type Json = Record<string, unknown>;

/** Keywords whose value is one subschema. */
const SUBSCHEMA = ['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else'];
/** Keywords whose value is a list of subschemas. */
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** Document maps keyed by names (a header may be called `x-rate`), where `x-` does not mark an extension. */
const NAME_MAPS: ReadonlySet<string> = new Set([
  'paths',
  'webhooks',
  'headers',
  'content',
  'responses',
  'callbacks',
  'encoding',
  'links',
  'parameters',
  'requestBodies',
  'pathItems',
]);
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', 'dependentSchemas', '$defs'];

/**
 * An OpenAPI 3.0.x document rewritten as 3.1.0, for the whole document: every Schema Object (in
 * components, parameters, headers, request bodies, responses and callbacks) loses what 3.0 meant
 * differently from JSON Schema 2020-12:
 *
 * - `nullable: true` becomes `type: [..., 'null']` (and `null` in an `enum`), or `anyOf: [schema, { type:
 *   'null' }]` around a `$ref` or a composition; `nullable: false` is dropped;
 * - `exclusiveMinimum: true` with `minimum: n` becomes `exclusiveMinimum: n` (the same for the maximum);
 * - a schema's `example` becomes `examples: [example]` (Parameter and Media Type objects keep `example`,
 *   which 3.1 still defines there).
 *
 * The input is not modified. A document that is not 3.0.x is refused.
 */
export function upgradeToOpenApi31<T extends object>(document: T): T {
  const version = String((document as Json).openapi);
  if (!/^3\.0\.\d+$/.test(version)) {
    throw new OpenApiDocumentError(
      'unsupported-openapi-version',
      `only an OpenAPI 3.0.x document can be upgraded to 3.1, and this one's 'openapi' field is ${JSON.stringify(
        (document as Json).openapi,
      )}.`,
    );
  }
  const upgraded = structuredClone(document) as Json;
  upgraded.openapi = '3.1.0';
  walkDocument(upgraded);
  return upgraded as T;
}

/** Outside schemas: finds every `schema` and every `components.schemas` entry, and upgrades it. */
function walkDocument(node: unknown, parentKey?: string): void {
  if (Array.isArray(node)) {
    for (const item of node) walkDocument(item);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    // Example values and extensions are data, not part of the document's structure.
    if (key === 'example' || key === 'examples') continue;
    if (key.startsWith('x-') && !NAME_MAPS.has(parentKey ?? '')) continue;
    if (key === 'schema' && isObject(value)) node[key] = upgradeSchema(value);
    else if (key === 'schemas' && parentKey === 'components' && isObject(value)) {
      for (const [name, schema] of Object.entries(value)) if (isObject(schema)) value[name] = upgradeSchema(schema);
    } else walkDocument(value, key);
  }
}

function upgradeSchema(input: Json): Json {
  let schema: Json = { ...input };
  for (const key of SUBSCHEMA) if (isObject(schema[key])) schema[key] = upgradeSchema(schema[key] as Json);
  for (const key of SUBSCHEMA_LISTS) {
    const list = schema[key];
    if (Array.isArray(list)) schema[key] = list.map((item) => (isObject(item) ? upgradeSchema(item) : item));
  }
  for (const key of SUBSCHEMA_MAPS) {
    const map = schema[key];
    if (isObject(map)) {
      schema[key] = Object.fromEntries(
        Object.entries(map).map(([name, sub]) => [name, isObject(sub) ? upgradeSchema(sub) : sub]),
      );
    }
  }
  exclusiveBound(schema, 'exclusiveMinimum', 'minimum');
  exclusiveBound(schema, 'exclusiveMaximum', 'maximum');
  if ('example' in schema) {
    const { example, ...rest } = schema;
    const examples = Array.isArray(rest.examples) ? rest.examples : [];
    schema = { ...rest, examples: [example, ...examples] };
  }
  if (typeof schema.nullable === 'boolean') {
    const { nullable, ...rest } = schema;
    schema = nullable ? withNull(rest) : rest;
  }
  return schema;
}

function exclusiveBound(schema: Json, flag: 'exclusiveMinimum' | 'exclusiveMaximum', bound: string): void {
  if (typeof schema[flag] !== 'boolean') return;
  if (schema[flag] === true && typeof schema[bound] === 'number') {
    schema[flag] = schema[bound];
    delete schema[bound];
  } else {
    delete schema[flag];
  }
}

/** 3.0's `nullable: true` in 3.1 terms. */
function withNull(schema: Json): Json {
  const composite = '$ref' in schema || ['allOf', 'anyOf', 'oneOf'].some((key) => Array.isArray(schema[key]));
  if (composite) {
    // Annotations stay beside the alternatives; the value's constraints go inside them.
    const { description, title, default: fallback, examples, deprecated, readOnly, writeOnly, ...inner } = schema;
    const annotations = { description, title, default: fallback, examples, deprecated, readOnly, writeOnly };
    const kept = Object.fromEntries(Object.entries(annotations).filter(([, value]) => value !== undefined));
    return { ...kept, anyOf: [inner, { type: 'null' }] };
  }
  const nullable: Json = { ...schema };
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    nullable.type = types.includes('null') ? types : [...types, 'null'];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) nullable.enum = [...schema.enum, null];
  return nullable;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
