import { generateSecret, WebhookReceiverConfigError } from 'hookspec';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseSeconds } from '../../lib/cli/commands/listen.command';
import { webhookMiddleware, type WebhookReceiverOptions } from '../../lib/frameworks/express';
import { webhookPreHandler, webhookRoute } from '../../lib/frameworks/fastify';
import { WebhookGuard } from '../../lib/frameworks/nestjs';
import { OrderCreated, OrderRefunded } from './fixtures/table-webhooks';

const secret = generateSecret();
const handler = async () => undefined;

/** Every receiver that takes an options object, created with `options`. */
const receivers: readonly [string, (options: WebhookReceiverOptions) => unknown][] = [
  ['webhookMiddleware(options)', (options) => webhookMiddleware(options)],
  ['webhookRoute(options)', (options) => webhookRoute({ ...options, url: '/hook', handler })],
  ['webhookPreHandler(options)', (options) => webhookPreHandler(options)],
  ['WebhookGuard options', (options) => new WebhookGuard(options)],
];

/** What `create(options)` threw, or undefined. */
function thrownBy(create: () => unknown): unknown {
  try {
    create();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe.each(receivers)('%s follows the one options policy of every receiver', (where, create) => {
  it('refuses an unknown option with unknown-option, naming the option it resembles', () => {
    const error = thrownBy(() => create({ secret, toleranceSecs: 60 } as WebhookReceiverOptions));
    expect(error).toBeInstanceOf(WebhookReceiverConfigError);
    expect(error).toMatchObject({
      code: 'unknown-option',
      message: expect.stringContaining(
        `${where}: unknown option 'toleranceSecs' (did you mean 'toleranceSeconds'?). Known options: secret,`,
      ),
    });
  });

  it('accepts toleranceSeconds: Infinity, as verifyWebhook does', () => {
    expect(thrownBy(() => create({ secret, toleranceSeconds: Infinity }))).toBeUndefined();
  });

  it.each([
    [
      'a negative toleranceSeconds',
      { toleranceSeconds: -1 },
      /toleranceSeconds must be a number of seconds from 0 \(or Infinity\), got -1/,
    ],
    ['a limit of 0', { limit: 0 }, /limit must be a whole number above 0, got 0/],
    ['an unknown envelope', { envelope: 'svix' as never }, /envelope must be 'none' or 'standard', got 'svix'/],
    ['a seen that is no store', { seen: {} as never }, /seen must be a SeenStore/],
  ])('refuses %s with invalid-option', (_label, options, message) => {
    const error = thrownBy(() => create({ secret, ...options }));
    expect(error).toBeInstanceOf(WebhookReceiverConfigError);
    expect(error).toMatchObject({ code: 'invalid-option', message: expect.stringMatching(message) });
  });

  it('refuses several webhooks without the envelope that says which one a body is', () => {
    const error = thrownBy(() => create({ secret, webhooks: [OrderCreated, OrderRefunded] }));
    expect(error).toBeInstanceOf(WebhookReceiverConfigError);
    expect(error).toMatchObject({
      code: 'invalid-option',
      message: expect.stringContaining(
        'webhooks lists several webhooks (order-created, order-refunded), but without the envelope a body does ' +
          "not say which one it is. Set envelope: 'standard'",
      ),
    });
    expect(thrownBy(() => create({ secret, webhooks: [OrderCreated] }))).toBeUndefined();
  });
});

describe('webhookRoute with several webhooks', () => {
  it('types request.webhook.payload as one of the classes, narrowed by instanceof', () => {
    const plugin = webhookRoute({
      url: '/orders',
      secret,
      webhooks: [OrderCreated, OrderRefunded],
      envelope: 'standard',
      handler: async (request) => {
        const { event, payload } = request.webhook;
        expectTypeOf(event).toEqualTypeOf<string | undefined>();
        expectTypeOf(payload).toEqualTypeOf<OrderCreated | OrderRefunded>();
        if (payload instanceof OrderRefunded) expectTypeOf(payload.reason).toBeString();
      },
    });
    expect(plugin).toBeTypeOf('function');
  });
});

describe('hookspec listen --tolerance', () => {
  it('takes Infinity too, as every receiver does', () => {
    expect(parseSeconds('Infinity')).toBe(Infinity);
    expect(parseSeconds('300')).toBe(300);
    expect(() => parseSeconds('-1')).toThrow(/give whole seconds/);
  });
});
