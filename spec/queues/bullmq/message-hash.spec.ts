import { describe, expect, it } from 'vitest';
import {
  decodeLease,
  decodeMessageHash,
  encodeMessageHash,
  endpointsOfHash,
} from '../../../lib/queues/bullmq/message-hash';
import { SCRIPTS } from '../../../lib/queues/bullmq/redis-scripts';

const message = { id: 'm1', event: 'order.paid', body: '{"total":5}', createdAt: 1_000 };
const deliveries = [
  { endpointId: 'e1', url: 'https://e1.example.com/', nextAttemptAt: 2_000 },
  { endpointId: 'e:2', url: 'https://e2.example.com/', nextAttemptAt: 3_000 },
];

/** The flat field, value list as Redis returns it from HGETALL (every value a string). */
const asHash = (flat: readonly (string | number)[]): Record<string, string> => {
  const hash: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) hash[String(flat[i])] = String(flat[i + 1]);
  return hash;
};

describe('the message hash codec', () => {
  it('decodes what it encodes: the message and each pending, untried delivery', () => {
    const hash = asHash(encodeMessageHash(message, deliveries));
    const endpoints = endpointsOfHash(hash);
    expect(endpoints).toEqual(['e1', 'e:2']);
    expect(decodeMessageHash('m1', hash, endpoints ?? [], [[], []])).toEqual({
      message,
      deliveries: [
        {
          messageId: 'm1',
          endpointId: 'e1',
          url: 'https://e1.example.com/',
          status: 'pending',
          attempts: [],
          scheduleBase: 0,
          nextAttemptAt: 2_000,
        },
        {
          messageId: 'm1',
          endpointId: 'e:2',
          url: 'https://e2.example.com/',
          status: 'pending',
          attempts: [],
          scheduleBase: 0,
          nextAttemptAt: 3_000,
        },
      ],
    });
    // Only what cannot be derived: no id (the key holds it), no job ids, no scheduleBase before a restart.
    expect(Object.keys(hash).sort()).toEqual(
      ['body', 'createdAt', 'eps', 'event', 'n:e1', 'n:e:2', 'pending', 's:e1', 's:e:2', 'sk', 'u:e1', 'u:e:2'].sort(),
    );
    expect(hash).toMatchObject({ pending: '2', eps: '["e1","e:2"]' });
  });

  it('shows an ended delivery without a due time, with its attempt log', () => {
    const hash: Record<string, string> = {
      ...asHash(encodeMessageHash(message, deliveries.slice(0, 1))),
      's:e1': 'exhausted',
    };
    delete hash['n:e1'];
    const log = [JSON.stringify({ attempt: 1, startedAt: 5, durationMs: 2, status: 500 })];
    expect(decodeMessageHash('m1', hash, ['e1'], [log]).deliveries).toEqual([
      {
        messageId: 'm1',
        endpointId: 'e1',
        url: 'https://e1.example.com/',
        status: 'exhausted',
        attempts: [{ attempt: 1, startedAt: 5, durationMs: 2, status: 500 }],
        scheduleBase: 0,
      },
    ]);
  });

  it('finds no message in an empty hash', () => {
    expect(endpointsOfHash({})).toBeUndefined();
  });

  it('reads a lease reply in the order the lease script reads the fields', () => {
    expect(SCRIPTS.hookspecReadLease.lua).toContain(
      "redis.call('HMGET', KEYS[3], 'event', 'body', 'createdAt', 'u:' .. e, 's:' .. e, 'b:' .. e, 'n:' .. e, 'owner')",
    );
    const attempt = { attempt: 1, startedAt: 5, durationMs: 2, status: 503 };
    const fields = ['order.paid', '{}', '1000', 'https://e1.example.com/', 'pending', '1', '9000', 'acme'];
    expect(decodeLease([fields, [JSON.stringify(attempt)]], 'm1', 'e1')).toEqual({
      kind: 'pending',
      message: { id: 'm1', event: 'order.paid', body: '{}', createdAt: 1_000, owner: 'acme' },
      delivery: {
        messageId: 'm1',
        endpointId: 'e1',
        url: 'https://e1.example.com/',
        status: 'pending',
        attempts: [attempt],
        scheduleBase: 1,
        nextAttemptAt: 9_000,
      },
    });
  });

  it('tells a lost lock from a delivery that already ended', () => {
    expect(decodeLease(null, 'm1', 'e1')).toEqual({ kind: 'lost' });
    const ended = ['order.paid', '{}', '1000', 'https://e1.example.com/', 'delivered', '0', null];
    expect(decodeLease([ended, []], 'm1', 'e1')).toEqual({ kind: 'ended' });
    expect(decodeLease([[null, null, null, null, null, null, null], []], 'm1', 'e1')).toEqual({ kind: 'ended' });
  });

  it('gives the scripts the same field names it writes', () => {
    const settle = SCRIPTS.hookspecSettle.lua;
    expect(settle).toContain("redis.call('HSET', key, 's:' .. e, status)");
    expect(settle).toContain("redis.call('HINCRBY', key, 'pending', -1)");
    expect(settle).toContain("redis.call('HMGET', key, 'sk', 'owner', 'event', 'eps')");
    expect(SCRIPTS.hookspecRestart.lua).toContain("'s:' .. e, 'pending', 'n:' .. e, ARGV[2],");
    for (const { lua } of Object.values(SCRIPTS)) expect(lua).not.toContain('${');
  });
});
