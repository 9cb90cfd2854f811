import { IsObject, IsOptional, IsString } from 'class-validator';
import {
  generateSecret,
  MemoryQueue,
  Webhook,
  WebhookClient,
  WebhookClientConfigError,
  WebhookDefinitionError,
  WebhookProperty,
  WebhookSendError,
  WebhookValidationError,
} from 'hookspec';
import type { MessageRecord, NewDelivery } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingServer } from '../support/recording-server';
import { LOOPBACK, Subscription, subscription } from './fixtures';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A real in-memory queue that remembers what it was asked to accept. */
class WatchedQueue extends MemoryQueue {
  readonly accepted: MessageRecord[] = [];
  override async enqueue(message: MessageRecord, deliveries: readonly NewDelivery[]): Promise<void> {
    this.accepted.push(message);
    return super.enqueue(message, deliveries);
  }
}

@Webhook('profile.changed', { unknownProperties: 'reject' })
class ProfileChanged {
  @IsString() user_id!: string;
  @WebhookProperty({ schema: { type: 'object' } }) @IsOptional() @IsObject() extra?: Record<string, unknown>;
}

function sender(options: Partial<ConstructorParameters<typeof WebhookClient>[0]> = {}) {
  const queue = new WatchedQueue();
  const client = new WebhookClient({
    webhooks: [Subscription, ProfileChanged],
    endpoints: [{ url: 'http://127.0.0.1:9/hook', secret: generateSecret() }],
    allowNetworks: LOOPBACK,
    worker: false,
    queue,
    ...options,
  });
  cleanup.push(() => client.close());
  return { client, queue };
}

describe('send() with properties the class does not declare', () => {
  it('strips them by default: the receiver gets the declared properties only', async () => {
    const server = await startRecordingServer();
    cleanup.push(() => server.close());
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ url: server.url, secret: generateSecret() }],
      allowNetworks: LOOPBACK,
    });
    cleanup.push(() => client.close());
    await client.send(Object.assign(subscription(), { password_hash: 'x', internal: { a: 1 } }));
    await client.drain();
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      username: 'ada',
      monthly_fee: 9.99,
      start_date: '2026-01-01T00:00:00.000Z',
    });
  });

  it("with unknownProperties: 'reject' on the client, refuses them by path and queues nothing", async () => {
    const { client, queue } = sender({ unknownProperties: 'reject' });
    const error = await client.send(Object.assign(subscription(), { password_hash: 'x' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookValidationError);
    expect((error as WebhookValidationError).issues).toEqual([
      {
        path: 'password_hash',
        constraints: {
          unknownProperty: 'password_hash is not a property of Subscription; remove it or declare it on the class',
        },
      },
    ]);
    expect(queue.accepted).toEqual([]);
  });

  it("a webhook's own unknownProperties wins over the client's", async () => {
    const { client, queue } = sender();
    const payload = Object.assign(new ProfileChanged(), { user_id: 'u-1', session: 's' });
    await expect(client.send(payload)).rejects.toMatchObject({
      code: 'invalid-payload',
      issues: [{ path: 'session' }],
    });
    await client.send(Object.assign(subscription(), { session: 's' }));
    expect(queue.accepted.map((m) => m.event)).toEqual(['new-subscription']);
  });
});

describe('send() refuses, queueing nothing,', () => {
  it('a body over maxPayloadBytes (default 1 MiB), counted in bytes with the envelope', async () => {
    const { client, queue } = sender({ envelope: 'standard' });
    const big = Object.assign(new ProfileChanged(), { user_id: 'u', extra: { text: 'é'.repeat(600 * 1024) } });
    const error = await client.send(big).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookSendError);
    expect(error).toMatchObject({ code: 'payload-too-large' });
    expect((error as Error).message).toMatch(
      /^send\(\) of 'profile\.changed': the body is 1228\d{3} bytes, over maxPayloadBytes \(1048576\)/,
    );
    expect(queue.accepted).toEqual([]);
  });

  it('a body over a smaller maxPayloadBytes, and accepts one at the limit', async () => {
    const { client, queue } = sender({ maxPayloadBytes: 77 });
    const exact = JSON.stringify({ username: 'ada', monthly_fee: 9.99, start_date: '2026-01-01T00:00:00.000Z' });
    expect(exact.length).toBe(77);
    await client.send(subscription());
    await expect(client.send(subscription({ username: 'adam' }))).rejects.toMatchObject({ code: 'payload-too-large' });
    expect(queue.accepted).toHaveLength(1);
  });

  it('a circular reference or a BigInt in the payload, naming the path', async () => {
    const { client, queue } = sender();
    const extra: Record<string, unknown> = { n: 1n };
    extra.self = extra;
    const error = await client
      .send(Object.assign(new ProfileChanged(), { user_id: 'u', extra }))
      .catch((e: unknown) => e);
    expect((error as WebhookValidationError).issues.map((issue) => issue.path)).toEqual(['extra.n', 'extra.self']);
    expect(queue.accepted).toEqual([]);
  });

  it('a plain object that carries its own constructor property', async () => {
    const { client, queue } = sender();
    const disguised = { constructor: Subscription, username: 'ada', monthly_fee: 1, start_date: new Date() };
    await expect(client.send(disguised as unknown as Subscription)).rejects.toThrow(
      expect.objectContaining({
        name: 'WebhookSendError',
        code: 'unknown-payload',
        message: expect.stringMatching(/^send\(\) got a plain object/) as unknown,
      }),
    );
    expect(queue.accepted).toEqual([]);
  });

  it('names the only payload class of the catalog in the plain-object hint', async () => {
    const client = new WebhookClient({
      webhooks: [ProfileChanged],
      endpoints: [],
      worker: false,
      queue: new MemoryQueue(),
    });
    cleanup.push(() => client.close());
    await expect(client.send({ user_id: 'u' } as ProfileChanged)).rejects.toThrow(
      'send() got a plain object, not an instance of the payload class (ProfileChanged). Create an instance of the class it stands for, e.g. plainToInstance(ProfileChanged, data) or Object.assign(new ProfileChanged(), data).',
    );
  });
});

describe('the new options are checked', () => {
  it.each([
    [
      { unknownProperties: 'drop' },
      "new WebhookClient(options): unknownProperties must be 'strip' or 'reject', got 'drop'.",
    ],
    [{ maxPayloadBytes: 0 }, 'new WebhookClient(options): maxPayloadBytes must be a whole number above 0, got 0.'],
    [{ maxPayloadBytes: 1.5 }, 'new WebhookClient(options): maxPayloadBytes must be a whole number above 0, got 1.5.'],
  ])('%o', (options, message) => {
    expect(() => sender(options as never)).toThrow(new WebhookClientConfigError('invalid-option', message));
    expect(() => sender(options as never)).toThrow(expect.objectContaining({ code: 'invalid-option' }));
  });

  it('@Webhook refuses an unknownProperties it does not know', () => {
    expect(() => {
      @Webhook('x', { unknownProperties: 'keep' as never })
      class Keep {}
      return Keep;
    }).toThrow(WebhookDefinitionError);
    expect(() => {
      @Webhook('x', { unknownProperties: 'keep' as never })
      class Keep {}
      return Keep;
    }).toThrow("@Webhook(\"x\") on Keep: unknownProperties must be 'strip' or 'reject', got 'keep'.");
  });
});
