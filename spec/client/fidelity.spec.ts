import { createPublicKey, verify } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildOpenApi, generateKeyPair, generateSecret, WebhookClient } from 'hookspec';
import type { OpenAPIObject, ParameterObject, SchemaObject } from 'openapi3-ts/oas31';
import { afterEach, describe, expect, it } from 'vitest';
import { InventoryWebhooks, StockChange, StockDirection, Subscription } from '../../examples/plain-ts/webhooks';
import { PaymentSuccess } from '../../examples/plain-ts/webhooks';
import { startRecordingServer, type RecordedRequest } from '../support/recording-server';
import { Address, Gps, Tag, UserUpdated } from '../payload/payload-classes';
import { LOOPBACK, Line, OrderPlaced, Orders } from './fixtures';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** The examples' payloads, built as the docs' recipe builds them: from rows that hold more than the class declares. */
const examples = [
  Object.assign(new Subscription(), {
    username: 'ada',
    monthly_fee: 9.99,
    start_date: new Date('2026-02-01T10:00:00Z'),
    password_hash: '$2b$12$secret',
  }),
  Object.assign(new PaymentSuccess(), {
    order_id: '3f1c1f9e-6a55-4c57-9a4f-7d3f2d1b9c10',
    payment_amount: 4200,
    payment_time: new Date('2026-02-01T10:05:00Z'),
    user_id: 'u-7',
    card_number: '4242424242424242',
  }),
  Object.assign(new StockChange(), { sku: 'A-1', quantity: 0, direction: StockDirection.Down, cost_price: 3 }),
];

/** The spec fixtures' payloads, with nested classes, arrays of classes and free-form values, extras at every depth. */
const fixtureExamples = [
  Object.assign(new OrderPlaced(), {
    order_id: 'o-1',
    lines: [Object.assign(new Line(), { sku: 'A-1', quantity: 2, margin: 0.4 })],
    note: null,
    customer_email: 'ada@example.com',
  }),
  Object.assign(new UserUpdated(), {
    id: 'u-1',
    name: 'Ada',
    password_hash: '$2b$12$secret',
    updated_at: new Date('2026-03-01T10:00:00Z'),
    address: Object.assign(new Address(), {
      street: 'Main St 1',
      gps_secret: '52.1,4.3',
      gps: Object.assign(new Gps(), { lat: '52.1', precise: '52.100001' }),
    }),
    tags: [Object.assign(new Tag(), { label: 'vip', score: 7 })],
    attributes: { colour: 'red' },
    metadata: { constructor: 'kept', nested: { __proto__x: [1, 2] } },
    history: [{ at: 1, by: 'ada' }],
    cents: 12,
  }),
];

/** Sends every payload through a real client and returns what the receiver got, by webhook name. */
async function sendExamples(
  envelope: 'none' | 'standard',
  webhooks: readonly Function[] = [Subscription, InventoryWebhooks],
  payloads: readonly object[] = examples,
): Promise<Map<string, RecordedRequest>> {
  const server = await startRecordingServer();
  const client = new WebhookClient({
    webhooks: webhooks as never,
    endpoints: [{ url: server.url, secret: generateSecret() }],
    allowNetworks: LOOPBACK,
    envelope,
  });
  cleanup.push(
    () => server.close(),
    () => client.close(),
  );
  const names = new Map<string, string>();
  for (const example of payloads) {
    const { id, event } = await client.send(example as never);
    names.set(id, event);
  }
  await client.drain();
  return new Map(server.requests.map((r) => [names.get(String(r.headers['webhook-id'])) as string, r]));
}

/**
 * Ajv 2020-12 (strict) with the document's component schemas as `$defs`, so every `$ref` resolves. Every
 * schema that lists `properties` is closed (`unevaluatedProperties: false`): a key the document does not
 * name fails, so a body that validates holds exactly the documented properties.
 */
function validatorFor(document: OpenAPIObject, schema: unknown) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  const withDefs = { ...(schema as object), $defs: document.components?.schemas ?? {} };
  return ajv.compile(
    closed(JSON.parse(JSON.stringify(withDefs).replaceAll('"#/components/schemas/', '"#/$defs/'))) as object,
  );
}

function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closed(value)]));
  if ('properties' in copy && !('additionalProperties' in copy)) copy.unevaluatedProperties = false;
  return copy;
}

describe.each(['none', 'standard'] as const)('with envelope %s, what the client sends', (envelope) => {
  it('is exactly what buildOpenApi documents: body schema and header parameters', async () => {
    const document = buildOpenApi({ webhooks: [Subscription, InventoryWebhooks], envelope });
    const received = await sendExamples(envelope);
    expect([...received.keys()].sort()).toEqual(['new-subscription', 'payment-success', 'stock-changed']);
    for (const [name, request] of received) {
      const operation = document.webhooks?.[name]?.post;
      const body = (operation?.requestBody as { content: Record<string, { schema: SchemaObject }> }).content[
        'application/json'
      ];
      const validate = validatorFor(document, body?.schema);
      expect(validate(JSON.parse(request.body)), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      for (const parameter of operation?.parameters as ParameterObject[]) {
        const value = request.headers[parameter.name];
        expect(typeof value, parameter.name).toBe('string');
        expect(validatorFor(document, parameter.schema)(value), parameter.name).toBe(true);
      }
      if (envelope === 'standard') {
        expect(JSON.parse(request.body)).toMatchObject({ type: name, data: expect.any(Object) });
      }
    }
  });
});

describe('the spec fixtures, extras at every depth', () => {
  it.each(['none', 'standard'] as const)(
    'send exactly the documented properties, valid (envelope %s)',
    async (envelope) => {
      const webhooks = [Orders, UserUpdated];
      const document = buildOpenApi({ webhooks, envelope });
      const received = await sendExamples(envelope, webhooks, fixtureExamples);
      expect([...received.keys()].sort()).toEqual(['order.placed', 'user.updated']);
      for (const [name, request] of received) {
        const operation = document.webhooks?.[name]?.post;
        const body = (operation?.requestBody as { content: Record<string, { schema: SchemaObject }> }).content[
          'application/json'
        ];
        const validate = validatorFor(document, body?.schema);
        expect(validate(JSON.parse(request.body)), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
        expect(request.body).not.toMatch(/secret|precise|score|margin|customer_email|4242/);
      }
      const user = JSON.parse(received.get('user.updated')?.body ?? '{}') as Record<string, unknown>;
      expect((envelope === 'standard' ? user.data : user) as object).toMatchObject({
        display_name: 'Ada',
        address: { street: 'Main St 1', gps: { lat: '52.1' } },
        metadata: { constructor: 'kept', nested: { __proto__x: [1, 2] } },
        cents: 1200,
      });
    },
  );
});

describe('asymmetric signing', () => {
  it('signs v1a with a whsk_ key, verifiable with node:crypto and the whpk_ key alone', async () => {
    const { privateKey, publicKey } = generateKeyPair();
    const server = await startRecordingServer();
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ url: server.url, privateKey }],
      allowNetworks: LOOPBACK,
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    await client.send(examples[0] as Subscription);
    await client.drain();
    const [request] = server.requests;
    const [version, signature] = String(request?.headers['webhook-signature']).split(',');
    expect(version).toBe('v1a');
    const key = createPublicKey({
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        x: Buffer.from(publicKey.slice('whpk_'.length), 'base64').toString('base64url'),
      },
      format: 'jwk',
    });
    const content = `${request?.headers['webhook-id']}.${request?.headers['webhook-timestamp']}.${request?.body}`;
    expect(verify(null, Buffer.from(content), key, Buffer.from(String(signature), 'base64'))).toBe(true);
  });

  it('signs with every secret during rotation', async () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const server = await startRecordingServer();
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ url: server.url, secrets: [oldSecret, newSecret] }],
      allowNetworks: LOOPBACK,
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    await client.send(examples[0] as Subscription);
    await client.drain();
    expect(String(server.requests[0]?.headers['webhook-signature']).split(' ')).toHaveLength(2);
  });
});
