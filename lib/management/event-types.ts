import type { WebhookCatalog } from '../client/catalog';
import { wrapEnvelope } from '../envelope';
import type { EnvelopeMode } from '../envelope';
import type { WebhookDefinition } from '../metadata';
import { SchemaGenerator } from '../schema';
import type { SchemaConverters } from '../schema';
import { bodySchemas } from './body-schema';
import { examplePayload } from './example-payload';
import type { ExamplePayload } from './example-payload';

/** One webhook of the client's catalog, as the event-type catalogue shows it. */
export interface EventTypeView {
  readonly name: string;
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly deprecated?: boolean;
  /** JSON Schema 2020-12 of the body exactly as sent (envelope included when the client wraps), self-contained ($defs, no external $ref). */
  readonly schema: Record<string, unknown>;
  /**
   * A body as sent: the first declared example (shaped like send() shapes it), else a generated one.
   * Absent when no generated body passes the payload class's validation: declare `examples` on `@Webhook`.
   */
  readonly example?: unknown;
}

/** A webhook with its view and the example payload that `sendExample` sends. */
export interface EventType {
  readonly definition: WebhookDefinition;
  readonly view: EventTypeView;
  readonly example: ExamplePayload | undefined;
}

/** The envelope's `timestamp` in examples: fixed, as in buildOpenApi's documented examples. */
const EXAMPLE_TIMESTAMP = new Date('2026-01-01T00:00:00.000Z');

/** Every webhook of the catalog, sorted by name, with its self-contained body schema and its example. */
export async function buildEventTypes(
  catalog: WebhookCatalog,
  envelope: EnvelopeMode,
  converters: SchemaConverters | undefined,
): Promise<ReadonlyMap<string, EventType>> {
  // One generator for all: a class shared by several webhooks is built once, as in buildOpenApi.
  const generator = new SchemaGenerator(converters ? { converters } : {});
  const types = new Map<string, EventType>();
  for (const name of catalog.names().sort()) {
    const definition = catalog.get(name) as WebhookDefinition;
    const schemas = bodySchemas(generator, definition, envelope);
    const example = await examplePayload(definition, schemas.payload);
    const { options } = definition;
    const view: EventTypeView = {
      name,
      ...(options.summary !== undefined ? { summary: options.summary } : {}),
      ...(options.description !== undefined ? { description: options.description } : {}),
      ...(options.tags?.length ? { tags: [...options.tags] } : {}),
      ...(options.deprecated ? { deprecated: true } : {}),
      schema: schemas.body,
      ...(example ? { example: wrapEnvelope(envelope, name, EXAMPLE_TIMESTAMP, example.data) } : {}),
    };
    types.set(name, { definition, view: deepFreeze(view), example });
  }
  return types;
}

/** Built once and handed to every caller: frozen, so that no caller can change what the next one sees. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
