import { IsString } from 'class-validator';
import { parseWebhook, Webhook, WebhookValidationError, WebhookVerificationError } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { Line, OrderPlaced, Subscription } from '../client/fixtures';
import { NOW, SECRET, signedRequest, verificationRejection } from './signed-request';

const at = { now: NOW };

@Webhook('customer.created')
@Webhook('customer.imported')
class Customer {
  @IsString() name!: string;
}

function parse<T extends object>(type: new () => T, body: unknown, options: Parameters<typeof parseWebhook>[4] = {}) {
  const request = signedRequest({ body: typeof body === 'string' ? body : JSON.stringify(body) });
  return parseWebhook(type, request.body, request.headers, SECRET, { ...at, ...options });
}

function envelope(type: unknown, data: unknown): Record<string, unknown> {
  return { type, timestamp: '2026-01-01T00:00:00.000Z', data };
}

const subscriptionBody = { username: 'ada', monthly_fee: 9.99, start_date: '2026-01-01T00:00:00.000Z' };

async function validationError(promise: Promise<unknown>): Promise<WebhookValidationError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(WebhookValidationError);
  return thrown as WebhookValidationError;
}

describe('parseWebhook: a verified body becomes a validated instance', () => {
  it('returns an instance of the class, with Dates', async () => {
    const event = await parse(Subscription, subscriptionBody);
    expect(event).toBeInstanceOf(Subscription);
    expect(event.start_date).toBeInstanceOf(Date);
    expect(event.start_date.getTime()).toBe(Date.parse('2026-01-01T00:00:00.000Z'));
    expect(event).toMatchObject({ username: 'ada', monthly_fee: 9.99 });
  });

  it('turns nested objects into instances of their classes', async () => {
    const placed = await parse(OrderPlaced, { order_id: 'o-1', lines: [{ sku: 'A-1', quantity: 2 }] });
    expect(placed).toBeInstanceOf(OrderPlaced);
    expect(placed.lines[0]).toBeInstanceOf(Line);
  });

  it('verifies before it parses: a bad signature is a WebhookVerificationError even for an invalid body', async () => {
    const request = signedRequest({ body: '{"username":5}' });
    const headers = { ...request.headers, 'webhook-signature': signedRequest({ body: '{}' }).signature };
    await verificationRejection(parseWebhook(Subscription, request.body, headers, SECRET, at), 'invalid-signature');
  });

  it('returns a Promise for every failure, including the synchronous checks of verification', async () => {
    const result = parseWebhook(Subscription, {} as never, {}, SECRET, at);
    expect(result).toBeInstanceOf(Promise);
    await verificationRejection(result, 'raw-body-required');
  });

  it('does not let a __proto__ key in the body reach Object.prototype', async () => {
    const body = `{"username":"ada","monthly_fee":1,"start_date":"2026-01-01T00:00:00Z","__proto__":{"polluted":true}}`;
    await parse(Subscription, body).catch(() => undefined);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('parseWebhook: a signed but invalid payload', () => {
  it('is a WebhookValidationError naming every failing property path', async () => {
    const error = await validationError(parse(Subscription, { username: 5, monthly_fee: -1, start_date: 'soon' }));
    expect(error.payloadName).toBe('Subscription');
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['monthly_fee', 'start_date', 'username']);
    expect(error.issues.find((issue) => issue.path === 'monthly_fee')?.constraints).toHaveProperty('min');
    expect(error.message).toContain(
      'parseWebhook(Subscription): Subscription is invalid; the webhook was not accepted.',
    );
  });

  it('names nested paths with array indexes', async () => {
    const body = {
      order_id: 'o-1',
      lines: [
        { sku: 'A-1', quantity: 1 },
        { sku: 7, quantity: 0 },
      ],
    };
    const error = await validationError(parse(OrderPlaced, body));
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['lines[1].quantity', 'lines[1].sku']);
  });

  it('reports missing required properties', async () => {
    const error = await validationError(parse(Subscription, {}));
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['monthly_fee', 'start_date', 'username']);
  });

  it.each([
    ['an array', '[{"username":"ada"}]'],
    ['a string', '"ada"'],
    ['a number', '42'],
    ['null', 'null'],
  ])('refuses %s body with invalid-body, naming the class', async (_label, body) => {
    const error = await verificationRejection(parse(Subscription, body), 'invalid-body');
    expect(error.message).toContain('cannot be a Subscription');
  });

  it('refuses a signed body that is not JSON with invalid-body', async () => {
    await verificationRejection(parse(Subscription, 'username=ada'), 'invalid-body');
  });
});

describe("parseWebhook: envelope 'standard'", () => {
  const standard = { envelope: 'standard' } as const;

  it('unwraps data when type is the class’s webhook name', async () => {
    const event = await parse(Subscription, envelope('new-subscription', subscriptionBody), standard);
    expect(event).toBeInstanceOf(Subscription);
    expect(event.start_date).toBeInstanceOf(Date);
  });

  it('accepts any of the names of a class with several @Webhook names', async () => {
    for (const type of ['customer.created', 'customer.imported']) {
      expect(await parse(Customer, envelope(type, { name: 'Ada' }), standard)).toBeInstanceOf(Customer);
    }
  });

  it('refuses another type with unexpected-type, naming what was expected', async () => {
    const error = await verificationRejection(
      parse(Subscription, envelope('payment-success', subscriptionBody), standard),
      'unexpected-type',
    );
    expect(error.message).toContain("'payment-success'");
    expect(error.message).toContain("'new-subscription'");
    const several = await verificationRejection(
      parse(Customer, envelope('customer.deleted', { name: 'Ada' }), standard),
      'unexpected-type',
    );
    expect(several.message).toMatch(
      /expects '(customer\.created|customer\.imported)' or '(customer\.created|customer\.imported)'\./,
    );
    expect(several.message).toContain("'customer.created'");
    expect(several.message).toContain("'customer.imported'");
  });

  it('takes the expected type from `event` for the payload class of a method-style webhook', async () => {
    const body = envelope('order.placed', { order_id: 'o-1', lines: [{ sku: 'A-1', quantity: 2 }] });
    const placed = await parse(OrderPlaced, body, { ...standard, event: 'order.placed' });
    expect(placed).toBeInstanceOf(OrderPlaced);
    await verificationRejection(
      parse(OrderPlaced, { ...body, type: 'order.cancelled' }, { ...standard, event: 'order.placed' }),
      'unexpected-type',
    );
  });

  it('accepts `event` beside the class’s own names', async () => {
    const body = envelope('subscription.legacy', subscriptionBody);
    expect(await parse(Subscription, body, { ...standard, event: 'subscription.legacy' })).toBeInstanceOf(Subscription);
  });

  it.each([
    ['a bare payload', subscriptionBody],
    ['an envelope without data', { type: 'new-subscription', timestamp: '2026-01-01T00:00:00.000Z' }],
    ['an envelope whose type is not a string', envelope(7, subscriptionBody)],
    ['an array', [envelope('new-subscription', subscriptionBody)]],
    ['null', null],
  ])('refuses %s with invalid-body', async (_label, body) => {
    const error = await verificationRejection(parse(Subscription, body, standard), 'invalid-body');
    expect(error.message).toContain('envelope');
  });

  it('refuses an envelope whose data is not an object with invalid-body', async () => {
    await verificationRejection(parse(Subscription, envelope('new-subscription', [1]), standard), 'invalid-body');
    await verificationRejection(parse(Subscription, envelope('new-subscription', null), standard), 'invalid-body');
  });

  it('validates the unwrapped data', async () => {
    const error = await validationError(
      parse(Subscription, envelope('new-subscription', { ...subscriptionBody, monthly_fee: 'free' }), standard),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['monthly_fee']);
  });

  it("leaves the envelope alone without the option: the default is 'none'", async () => {
    const error = await validationError(parse(Subscription, envelope('new-subscription', subscriptionBody)));
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['monthly_fee', 'start_date', 'username']);
  });
});

describe('parseWebhook: errors are the verification errors of verifyWebhook', () => {
  it('are WebhookVerificationError for every verification failure', async () => {
    const request = signedRequest({ body: JSON.stringify(subscriptionBody) });
    const failures = [
      parseWebhook(Subscription, request.body, {}, SECRET, at),
      parseWebhook(Subscription, request.body, request.headers, SECRET, { now: NOW + 3_600_000 }),
      parseWebhook(Subscription, request.body, request.headers, 'whsec_!!!!', at),
    ];
    for (const failure of failures) await expect(failure).rejects.toBeInstanceOf(WebhookVerificationError);
  });
});
