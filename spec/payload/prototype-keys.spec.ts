import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { generateSecret, parseWebhook, WebhookClient, WebhookVerificationError } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookMiddleware } from '../../lib/frameworks/express';
import { payloadFromBody, serializePayload } from '../../lib/payload';
import { LOOPBACK } from '../client/fixtures';
import { signWithStandardWebhooks } from '../support/standard-webhooks-request';
import { Address, Tag, UserUpdated } from './payload-classes';
import { Transform } from 'class-transformer';
import { IsOptional } from 'class-validator';
import { WebhookProperty } from 'hookspec';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
});

/** Free-form values whose keys are Object.prototype's own names, as JSON.parse gives them. */
const HOSTILE = `{
  "attributes": { "constructor": "c", "toString": "t", "hasOwnProperty": "h", "valueOf": "v" },
  "metadata": { "__proto__": { "polluted": "yes" }, "constructor": { "prototype": { "polluted": "yes" } }, "toString": 1 },
  "history": [ { "constructor": "row", "__proto__": { "polluted": "yes" }, "hasOwnProperty": false } ]
}`;

function body(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'u-1',
    display_name: 'Ada',
    updated_at: '2026-03-01T10:00:00.000Z',
    address: { street: 'Main St 1', gps: { lat: '52.1', constructor: 'nested' } },
    tags: [{ label: 'vip', toString: 'x' }],
    ...(JSON.parse(HOSTILE) as Record<string, unknown>),
    ...extra,
  };
}

/** Every key of the hostile records is an own data property and every object an ordinary one. */
function expectIntact(payload: UserUpdated): void {
  expect(payload).toBeInstanceOf(UserUpdated);
  expect(payload.updated_at).toEqual(new Date('2026-03-01T10:00:00.000Z'));
  expect(
    JSON.parse(
      JSON.stringify({ attributes: payload.attributes, metadata: payload.metadata, history: payload.history }),
    ),
  ).toEqual(JSON.parse(HOSTILE));
  const metadata = payload.metadata as Record<string, unknown>;
  for (const record of [payload.attributes, metadata, payload.history?.[0]]) {
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
  }
  expect(Object.getOwnPropertyDescriptor(metadata, '__proto__')).toMatchObject({
    value: { polluted: 'yes' },
    enumerable: true,
  });
  expect(Object.getOwnPropertyNames(payload.attributes)).toEqual([
    'constructor',
    'toString',
    'hasOwnProperty',
    'valueOf',
  ]);
  expect(Object.getOwnPropertyNames(payload.history?.[0])).toEqual(['constructor', '__proto__', 'hasOwnProperty']);
}

describe('records with keys named like Object.prototype’s members round-trip intact', () => {
  it('payloadFromBody keeps them as own data properties, touching no prototype', async () => {
    expectIntact(await payloadFromBody(UserUpdated, body()));
  });

  it('leaves out undeclared keys of class-shaped objects, constructor and __proto__ included, instead of throwing', async () => {
    const hostile = JSON.parse(
      '{"constructor": {"name": "x"}, "__proto__": {"polluted": "yes"}, "password_hash": "h"}',
    ) as object;
    const payload = await payloadFromBody(UserUpdated, { ...body(), ...hostile });
    expect(Object.getPrototypeOf(payload)).toBe(UserUpdated.prototype);
    expect(Object.keys(payload)).not.toContain('constructor');
    expect(payload.constructor).toBe(UserUpdated);
    expect(payload.password_hash).toBeUndefined();
    expect(payload.address.gps).toEqual({ lat: '52.1' });
  });

  it('parseWebhook verifies and parses such a body', async () => {
    const secret = generateSecret();
    const request = signWithStandardWebhooks(secret, body());
    expectIntact(await parseWebhook(UserUpdated, request.body, request.headers, secret));
  });

  it('send() writes them as they are', () => {
    const sent = JSON.parse(
      serializePayload(Object.assign(new UserUpdated(), body(), { updated_at: new Date() }), UserUpdated, {
        event: 'user.updated',
        envelope: 'none',
        now: new Date(),
      }),
    ) as Record<string, unknown>;
    expect({ attributes: sent.attributes, metadata: sent.metadata, history: sent.history }).toEqual(
      JSON.parse(HOSTILE),
    );
  });

  it('a @Transform of the receiving direction on such a record fails with a typed invalid-body, not a TypeError', async () => {
    class Transformed {
      @WebhookProperty({ schema: {} })
      @IsOptional()
      @Transform(({ value }: { value: unknown }) => value, { toClassOnly: true })
      data?: unknown;
    }
    const error = await payloadFromBody(Transformed, { data: { constructor: 1 } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toMatchObject({ code: 'invalid-body' });
  });

  it('from a WebhookClient to an Express receiver over HTTP', async () => {
    const secret = generateSecret();
    const app = express();
    const received: unknown[] = [];
    app.post('/hook', webhookMiddleware({ secret, webhook: UserUpdated }), (req, res) => {
      const webhook = (req as unknown as { webhook: Record<string, unknown> }).webhook;
      received.push(webhook.payload ?? webhook.event);
      res.sendStatus(204);
    });
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
    const client = new WebhookClient({
      webhooks: [UserUpdated],
      endpoints: [{ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, secret }],
      allowNetworks: LOOPBACK,
    });
    cleanup.push(() => client.close());
    const payload = Object.assign(new UserUpdated(), JSON.parse(HOSTILE) as object, {
      id: 'u-1',
      name: 'Ada',
      updated_at: new Date('2026-03-01T10:00:00.000Z'),
      address: Object.assign(new Address(), { street: 'Main St 1' }),
      tags: [Object.assign(new Tag(), { label: 'vip' })],
    });
    await client.send(payload);
    await client.drain();
    expect(received).toHaveLength(1);
    expectIntact(received[0] as UserUpdated);
  });
});
