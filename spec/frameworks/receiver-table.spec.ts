import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { generateSecret, sign } from 'hookspec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderCreated, OrderRefunded } from './fixtures/table-webhooks';
import {
  expressTarget,
  fastifyTarget,
  LIMIT,
  listenTarget,
  nestTarget,
  send,
  type Answer,
  type RawRequest,
  type Received,
  type Route,
  type Target,
} from './receiver-table-servers';

/*
 * One table, four adapters: the same requests, over real HTTP on loopback, to Express, Fastify, a Nest app
 * and `hookspec listen` (from dist/: `npm run build` first), with the same status and `code` expected from
 * each, since all of them answer through lib/receiver.
 */

const root = join(__dirname, '..', '..');
const SECRET = generateSecret();
const ORDER = { order_id: 'ord_1', amount: 4200, metadata: { channel: 'web' } };

function signed(body: string, { id = messageId(), timestamp = nowSeconds() } = {}): RawRequest {
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign({ id, timestamp, body }, SECRET),
    },
  };
}

function messageId(): string {
  return `msg_${randomBytes(12).toString('hex')}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function envelope(type: string, data: object): string {
  return JSON.stringify({ type, timestamp: new Date().toISOString(), data });
}

interface Row {
  readonly name: string;
  readonly route: Route;
  /** The requests, in order; the last answer is checked against `status` and `code`. */
  readonly requests: () => RawRequest[];
  readonly status: number;
  readonly code?: string;
  /** Checks what the handler got (in-process adapters) or the answer's details. */
  readonly check?: (answer: Answer, received: readonly Received[]) => void;
  /** Adapters this row does not apply to, and why. */
  readonly notFor?: Readonly<Record<string, string>>;
}

// The body of a record whose keys name Object.prototype members; written by hand, since an object literal
// with `__proto__` would set the prototype instead of a key.
const PROTOTYPE_KEYS_BODY =
  '{"order_id":"ord_2","amount":1,"metadata":{"constructor":"c","toString":"t","__proto__":"p","hasOwnProperty":"h"}}';

const ROWS: readonly Row[] = [
  {
    name: 'a valid request',
    route: 'single',
    requests: () => [signed(JSON.stringify(ORDER))],
    status: 204,
    check: (_answer, received) => {
      expect(received[0]?.payload).toBeInstanceOf(OrderCreated);
      expect(received[0]).toEqual({ event: 'order-created', payload: ORDER });
    },
  },
  {
    name: 'a tampered body (bad signature)',
    route: 'single',
    requests: () => {
      const request = signed(JSON.stringify(ORDER));
      return [{ ...request, body: JSON.stringify({ ...ORDER, amount: 1 }) }];
    },
    status: 401,
    code: 'invalid-signature',
  },
  {
    name: 'a timestamp ten minutes old',
    route: 'single',
    requests: () => [signed(JSON.stringify(ORDER), { timestamp: nowSeconds() - 600 })],
    status: 401,
    code: 'timestamp-too-old',
  },
  {
    name: 'no webhook headers',
    route: 'single',
    requests: () => [{ headers: { 'content-type': 'application/json' }, body: JSON.stringify(ORDER) }],
    status: 401,
    code: 'missing-header',
  },
  {
    name: 'the same webhook-id twice, with a seen store',
    route: 'seen',
    requests: () => {
      const request = signed(JSON.stringify(ORDER));
      return [request, request];
    },
    status: 200,
    code: 'replayed',
    notFor: { 'hookspec listen': 'listen has no seen store (its flags are unchanged): it prints every delivery' },
  },
  {
    name: 'a signed but invalid payload',
    route: 'single',
    requests: () => [signed(JSON.stringify({ ...ORDER, amount: -1 }))],
    status: 400,
    code: 'invalid-payload',
    check: (answer) => {
      const issues = answer.json?.issues as { path: string }[];
      expect(issues.map((issue) => issue.path)).toContain('amount');
    },
  },
  {
    name: 'a body over the limit',
    route: 'single',
    requests: () => [signed(JSON.stringify({ ...ORDER, order_id: 'x'.repeat(LIMIT) }))],
    status: 413,
    code: 'body-too-large',
  },
  {
    name: 'a signed body that is not JSON',
    route: 'single',
    requests: () => [signed('not json')],
    status: 400,
    code: 'invalid-body',
  },
  {
    name: 'a signed body nested 3,000 levels deep',
    route: 'single',
    requests: () => [signed(`${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`)],
    status: 400,
    code: 'invalid-body',
  },
  {
    name: 'a record whose keys are constructor, toString, __proto__ and hasOwnProperty',
    route: 'single',
    requests: () => [signed(PROTOTYPE_KEYS_BODY)],
    status: 204,
    check: (_answer, received) => {
      const metadata = (received[0]?.payload as OrderCreated | undefined)?.metadata;
      expect(metadata && Object.entries(metadata)).toEqual([
        ['constructor', 'c'],
        ['toString', 't'],
        ['__proto__', 'p'],
        ['hasOwnProperty', 'h'],
      ]);
    },
  },
  {
    name: 'two webhook-signature header lines, the valid one first',
    route: 'single',
    requests: () => {
      const request = signed(JSON.stringify(ORDER));
      const valid = request.headers['webhook-signature'] as string;
      const other = sign({ id: 'msg_other', timestamp: nowSeconds(), body: '{}' }, generateSecret());
      return [{ ...request, headers: { ...request.headers, 'webhook-signature': [valid, other] } }];
    },
    status: 204,
  },
  {
    name: 'two webhook-signature header lines, the valid one second',
    route: 'single',
    requests: () => {
      const request = signed(JSON.stringify(ORDER));
      const valid = request.headers['webhook-signature'] as string;
      const other = sign({ id: 'msg_other', timestamp: nowSeconds(), body: '{}' }, generateSecret());
      return [{ ...request, headers: { ...request.headers, 'webhook-signature': [other, valid] } }];
    },
    status: 204,
  },
  {
    name: 'several webhooks on one URL: the envelope type picks the class',
    route: 'multi',
    requests: () => [signed(envelope('order-refunded', { order_id: 'ord_1', reason: 'damaged' }))],
    status: 204,
    check: (_answer, received) => {
      expect(received[0]?.event).toBe('order-refunded');
      expect(received[0]?.payload).toBeInstanceOf(OrderRefunded);
      expect(received[0]?.payload).toEqual({ order_id: 'ord_1', reason: 'damaged' });
    },
  },
  {
    name: 'several webhooks on one URL: an invalid payload of the named class',
    route: 'multi',
    requests: () => [signed(envelope('order-created', { ...ORDER, amount: 'lots' }))],
    status: 400,
    code: 'invalid-payload',
  },
];

const targets: Target[] = [];
const starters: readonly [string, () => Promise<Target>][] = [
  ['Express webhookMiddleware', () => expressTarget(SECRET)],
  ['Fastify webhookRoute', () => fastifyTarget(SECRET)],
  ['Nest WebhookGuard', () => nestTarget(SECRET)],
  ['hookspec listen', () => listenTarget(SECRET, root, 'spec/frameworks/fixtures/dist/table-webhooks.js')],
];

beforeAll(async () => {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'spec/frameworks/fixtures/tsconfig.json'],
    { cwd: root },
  );
  for (const [, start] of starters) targets.push(await start());
}, 60_000);

afterAll(async () => {
  for (const target of targets.splice(0)) await target.close();
});

describe.each(starters.map(([name]) => name))('%s answers the receiver table', { timeout: 30_000 }, (name) => {
  it.each(ROWS.filter((row) => row.notFor?.[name] === undefined))('$name → $status $code', async (row) => {
    const target = targets.find((candidate) => candidate.name === name)!;
    target.received.length = 0;
    let answer: Answer | undefined;
    for (const request of row.requests()) answer = await send(target.url(row.route), request);

    expect({ status: answer?.status, code: answer?.json?.code }).toEqual({ status: row.status, code: row.code });
    if (name !== 'hookspec listen') {
      expect(target.received).toHaveLength(row.status === 204 ? 1 : row.code === 'replayed' ? 1 : 0);
      row.check?.(answer!, target.received);
    } else if (row.code === 'invalid-payload') {
      row.check?.(answer!, []);
    }
  });
});
