import { instanceToPlain } from 'class-transformer';
import type { ExampleObject, OperationObject, ReferenceObject, SchemaObject } from 'openapi3-ts/oas31';
import type { WebhookDefinition } from '../metadata';
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
): OperationObject {
  const { options } = definition;
  const examples = options.examples && exampleObjects(options.examples);
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
  examples: NonNullable<WebhookDefinition['options']['examples']>,
): Record<string, ExampleObject> {
  return Object.fromEntries(
    Object.entries(examples).map(([key, { value, ...rest }]) => [key, { ...rest, value: asSent(value) }]),
  );
}

/** An example body as the client would send it: class-transformer's rules, then JSON. */
function asSent(value: unknown): unknown {
  const plain = typeof value === 'object' && value !== null ? instanceToPlain(value) : value;
  return JSON.parse(JSON.stringify(plain));
}
