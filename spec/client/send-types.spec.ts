import { generateSecret, MemoryQueue, Payload, Webhook, WebhookClient } from 'hookspec';
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
}

class Quiet {
  @Webhook('quiet') @Payload(Subscription) quiet(): void {}
}

function explicitEvents(client: WebhookClient<readonly [typeof Quiet], Subscription>): void {
  // A method that names its payload only in @Payload gives no type: the event type is stated instead.
  void client.send(subscription());
  // @ts-expect-error not the stated event type
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
    expect(typeof explicitEvents).toBe('function');
    expect(
      new WebhookClient({ webhooks: [Quiet], endpoints: [], worker: false, queue: new MemoryQueue() }),
    ).toBeInstanceOf(WebhookClient);
    const inferred: WebhookClient<readonly [typeof Subscription, typeof Orders]> = client;
    expect(inferred).toBe(client);
    return client.close();
  });
});
