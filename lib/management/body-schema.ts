import { envelopeSchema } from '../envelope';
import type { EnvelopeMode } from '../envelope';
import type { WebhookDefinition } from '../metadata';
import type { SchemaGenerator } from '../schema';

const COMPONENTS = '#/components/schemas/';
const DEFS = '#/$defs/';
const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

/** A webhook's schemas: the body as sent, and the payload alone (what an example is sampled from). */
export interface BodySchemas {
  /** JSON Schema 2020-12 of the body, envelope included when the client wraps; its classes in `$defs`. */
  readonly body: Record<string, unknown>;
  /** The payload alone, with the same `$defs`. */
  readonly payload: Record<string, unknown>;
}

/**
 * The body schema of one webhook, self-contained: the generator that `buildOpenApi` uses builds the
 * classes as `#/components/schemas/…` components; the ones this payload reaches are copied into `$defs`
 * and every reference is rewritten to point there, so the schema validates on its own (Ajv, a portal).
 */
export function bodySchemas(
  generator: SchemaGenerator,
  definition: WebhookDefinition,
  envelope: EnvelopeMode,
): BodySchemas {
  const root = generator.refFor(definition.payload, [`webhook '${definition.name}'`]);
  const components = generator.components();
  const defs = new Map<string, unknown>();
  const pending = [root.$ref.slice(COMPONENTS.length)];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (!defs.has(name)) defs.set(name, rewriteRefs(components[name], pending));
  }
  const sortedDefs = Object.fromEntries([...defs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const payloadRef = { $ref: `${DEFS}${root.$ref.slice(COMPONENTS.length)}` };
  const body = envelope === 'standard' ? envelopeSchema(definition.name, payloadRef) : payloadRef;
  return {
    body: { $schema: DRAFT_2020_12, ...body, $defs: sortedDefs },
    payload: { $schema: DRAFT_2020_12, ...payloadRef, $defs: sortedDefs },
  };
}

/** A deep copy with each component reference pointed at `$defs`; the names it references are pushed on `found`. */
function rewriteRefs(value: unknown, found: string[]): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => rewriteRefs(item, found));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string' && item.startsWith(COMPONENTS)) {
      const name = item.slice(COMPONENTS.length);
      found.push(name);
      out[key] = `${DEFS}${name}`;
    } else {
      out[key] = rewriteRefs(item, found);
    }
  }
  return out;
}
