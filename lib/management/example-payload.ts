import type { ClassConstructor } from 'class-transformer';
import type { WebhookDefinition } from '../metadata';
import { findTooDeep, instanceFromPlain, shapePayload, validatePayload } from '../payload';

/** A webhook's example payload: the data as sent, and how to make the instance that `send()` takes. */
export interface ExamplePayload {
  /** The payload as it goes on the wire (without the envelope): declared properties only, dates as ISO strings. */
  readonly data: Record<string, unknown>;
  /** A fresh instance of the payload class that sends as `data`. */
  instance(): object;
}

/** The parts of openapi-sampler used here. */
interface Sampler {
  sample(schema: object, options?: object, document?: object): unknown;
}

let sampler: Sampler | undefined;

/** openapi-sampler is loaded when an example is first generated, never when hookspec is imported. */
function loadSampler(): Sampler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  sampler ??= require('openapi-sampler') as Sampler;
  return sampler;
}

/**
 * The example of a webhook: its first `@Webhook({ examples })` value, shaped exactly as `send()` shapes
 * it; else one sampled from the payload schema (openapi-sampler), kept only when it passes the payload
 * class's own validation (class-validator), since a schema cannot say everything a validator checks.
 * Undefined when neither gives one: declare `examples` on `@Webhook`.
 */
export async function examplePayload(
  definition: WebhookDefinition,
  payloadSchema: Record<string, unknown>,
): Promise<ExamplePayload | undefined> {
  return declaredExample(definition) ?? (await generatedExample(definition, payloadSchema));
}

function declaredExample(definition: WebhookDefinition): ExamplePayload | undefined {
  const cls = definition.payload as ClassConstructor<object>;
  const first = Object.values(definition.options.examples ?? {})[0];
  const value: unknown = first?.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  // A value buildOpenApi refuses (a cycle, a BigInt) is no example here either.
  const { plain, issues } = shapePayload(value, cls, { unknownProperties: 'strip', depth: 1 });
  if (issues.length > 0) return undefined;
  return {
    data: plain,
    // An instance is sent as declared (its own getters and transforms apply); a plain value becomes one.
    instance: () => (value instanceof cls ? value : instanceFromPlain(cls, plain)),
  };
}

async function generatedExample(
  definition: WebhookDefinition,
  payloadSchema: Record<string, unknown>,
): Promise<ExamplePayload | undefined> {
  const cls = definition.payload as ClassConstructor<object>;
  let sampled: unknown;
  try {
    sampled = loadSampler().sample(payloadSchema, { quiet: true }, payloadSchema);
  } catch {
    // A schema the sampler cannot walk has no generated example; eventTypes() lists the webhook without one.
    return undefined;
  }
  if (typeof sampled !== 'object' || sampled === null || Array.isArray(sampled) || findTooDeep(sampled)) {
    return undefined;
  }
  try {
    const instance = instanceFromPlain(cls, sampled);
    await validatePayload(instance, `the generated example of '${definition.name}'`, 'it is not used');
    const { plain, issues } = shapePayload(instance, cls, { unknownProperties: 'strip', depth: 1 });
    if (issues.length > 0) return undefined;
    return { data: plain, instance: () => instanceFromPlain(cls, plain) };
  } catch {
    // A sample that the class refuses (a pattern, a custom rule the schema cannot state) is no example.
    return undefined;
  }
}
