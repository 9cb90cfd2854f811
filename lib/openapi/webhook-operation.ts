import type { ExampleObject, OperationObject, ReferenceObject, SchemaObject } from 'openapi3-ts/oas31';
import { wrapEnvelope } from '../envelope';
import type { EnvelopeMode } from '../envelope';
import { OpenApiDocumentError } from '../errors';
import type { WebhookDefinition } from '../metadata';
import { shapePayload } from '../payload';
import { deliveryResponses, signatureHeaders } from './delivery-contract';

/** `new-subscription` → `newSubscription`, `payment.succeeded` → `paymentSucceeded`. */
export function defaultOperationId(definition: WebhookDefinition): string {
  if (definition.methodName !== undefined) return definition.methodName;
  return definition.name.replace(/[-._]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/[-._]/g, '');
}

/** The `post` operation of one webhook: what is sent, how it is signed, how the answer is read. */
export function buildWebhookOperation(
  definition: WebhookDefinition,
  bodySchema: SchemaObject | ReferenceObject,
  envelope: EnvelopeMode,
): OperationObject {
  const { options } = definition;
  const examples = options.examples && exampleObjects(definition, options.examples, envelope);
  return {
    operationId: options.operationId ?? defaultOperationId(definition),
    ...(options.summary !== undefined ? { summary: options.summary } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.tags?.length ? { tags: [...options.tags] } : {}),
    ...(options.externalDocs ? { externalDocs: { ...options.externalDocs } } : {}),
    ...(options.deprecated ? { deprecated: true } : {}),
    parameters: signatureHeaders(),
    requestBody: {
      required: true,
      content: { 'application/json': { schema: bodySchema, ...(examples ? { examples } : {}) } },
    },
    responses: deliveryResponses(),
  };
}

function exampleObjects(
  definition: WebhookDefinition,
  examples: NonNullable<WebhookDefinition['options']['examples']>,
  envelope: EnvelopeMode,
): Record<string, ExampleObject> {
  return Object.fromEntries(
    Object.entries(examples).map(([key, { value, ...rest }]) => [
      key,
      { ...rest, value: wrapEnvelope(envelope, definition.name, EXAMPLE_TIMESTAMP, asSent(definition, key, value)) },
    ]),
  );
}

/** The envelope's `timestamp` in documented examples: fixed, so the same classes give the same bytes. */
const EXAMPLE_TIMESTAMP = new Date('2026-01-01T00:00:00.000Z');

/**
 * An example body exactly as the client would send it: the same shaping as `send()` (only the declared
 * properties, class-transformer's rules, dates as ISO strings), so an example never documents a property
 * that is not sent.
 */
function asSent(definition: WebhookDefinition, key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const { plain, issues } = shapePayload(value, definition.payload, { unknownProperties: 'strip', depth: 1 });
  if (issues.length > 0) {
    throw new OpenApiDocumentError(
      'invalid-example',
      `@Webhook('${definition.name}') example '${key}' cannot be sent: ` +
        issues
          .map((issue) => `${issue.path || '(the payload)'}: ${Object.values(issue.constraints).join('; ')}`)
          .join(' | ') +
        '. Give an example that JSON can carry.',
    );
  }
  return plain;
}
