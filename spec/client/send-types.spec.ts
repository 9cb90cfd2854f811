import { generateSecret, MemoryQueue, Payload, Webhook, WebhookClient } from 'hookspec';
import type { CatalogPayload, SendResult, TransactionalSendResult } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { order, Orders, Subscription, subscription } from './fixtures';

class Unrelated {
  unrelated = true;
}

/** Compiled by `tsc -p spec/tsconfig.json` in `npm run typecheck`: each @ts-expect-error must be an error. */
function typeChecks(client: WebhookClient<readonly [typeof Subscription, typeof Orders]>): void {
  void client.send(subscription());
  void client.send(order());
  // @ts-expect-error an instance of a class outside the catalog does not compile
  void client.send(new Unrelated());
  // @ts-expect-error a string is not a payload
  void client.send('new-subscription');
  // @ts-expect-error options take a known key only
  void client.send(subscription(), { evnt: 'x' });
  // @ts-expect-error undefined is not a payload
  void client.send(undefined);
  // @ts-expect-error null is not a payload
  void client.send(null);
  // Without stated names, any string is an event name (checked when sent).
  void client.send(order(), { event: 'order.placed' });
}

/** send(…, { tx }) answers without deliveries: they are made after the caller's commit. */
async function transactionalTypes(client: WebhookClient<readonly [typeof Subscription]>, tx: object): Promise<void> {
  const written: TransactionalSendResult = await client.send(subscription(), { tx, owner: 'acme' });
  // @ts-expect-error no deliveries are known when the message is only written in a transaction
  void written.deliveries;
  const sent: SendResult = await client.send(subscription(), { owner: 'acme' });
  void sent.deliveries;
  // @ts-expect-error tx is a transaction object, not a flag
  void client.send(subscription(), { tx: true });
}

/** A catalog with a loosely typed helper method: `any` must not open send() to every value. */
class Loose {
  @Webhook('loose') @Payload(Subscription) loose(_payload: Subscription): void {}
  helper(_value: any): void {} // eslint-disable-line @typescript-eslint/no-explicit-any
  other(_value?: Subscription): void {}
  noArguments(): void {}
}

function looseCatalog(client: WebhookClient<readonly [typeof Loose]>): void {
  void client.send(subscription());
  // @ts-expect-error an any-typed parameter adds nothing to the payload type
  void client.send(undefined);
  // @ts-expect-error nor does it let strings through
  void client.send('loose');
  // @ts-expect-error a method without parameters adds nothing either
  void client.send(new Unrelated());
}

type Names = 'new-subscription' | 'order.placed';

function statedNames(
  client: WebhookClient<
    readonly [typeof Subscription, typeof Orders],
    CatalogPayload<readonly [typeof Subscription, typeof Orders]>,
    Names
  >,
): void {
  void client.send(order(), { event: 'order.placed' });
  // @ts-expect-error not one of the stated webhook names
  void client.send(order(), { event: 'order.placd' });
  void client.send(subscription()).then((result: SendResult<Names>) => {
    const name: Names = result.event;
    return name;
  });
}

class Quiet {
  @Webhook('quiet') @Payload(Subscription) quiet(): void {}
}

function explicitPayloads(client: WebhookClient<readonly [typeof Quiet], Subscription>): void {
  // A method that names its payload only in @Payload gives no type: the payload type is stated instead.
  void client.send(subscription());
  // @ts-expect-error not the stated payload type
  void client.send(order());
}

describe('send() types', () => {
  it('accept only the catalog’s payloads (checked by the type-check, run here for coverage)', () => {
    const client = new WebhookClient({
      webhooks: [Subscription, Orders] as const,
      endpoints: [{ url: 'https://a.example/h', secret: generateSecret() }],
      worker: false,
      queue: new MemoryQueue(),
    });
    expect(typeof typeChecks).toBe('function');
    expect(typeof explicitPayloads).toBe('function');
    expect(typeof looseCatalog).toBe('function');
    expect(typeof transactionalTypes).toBe('function');
    expect(typeof statedNames).toBe('function');
    expect(
      new WebhookClient({ webhooks: [Quiet], endpoints: [], worker: false, queue: new MemoryQueue() }),
    ).toBeInstanceOf(WebhookClient);
    const loose = new WebhookClient({ webhooks: [Loose], endpoints: [], worker: false, queue: new MemoryQueue() });
    expect(loose).toBeInstanceOf(WebhookClient);
    const inferred: WebhookClient<readonly [typeof Subscription, typeof Orders]> = client;
    expect(inferred).toBe(client);
    return Promise.all([client.close(), loose.close()]);
  });
});
