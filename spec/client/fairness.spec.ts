import { generateSecret, WebhookClient } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingServer } from '../support/recording-server';
import { LOOPBACK, Subscription, subscription } from './fixtures';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('a slow endpoint', () => {
  it('holds at most endpointConcurrency slots, and the other endpoint gets every message meanwhile', async () => {
    const slow = await startRecordingServer({ answer: () => ({ never: true }) });
    const fast = await startRecordingServer();
    cleanup.push(() => fast.close());
    const secret = generateSecret();
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [
        { id: 'slow', url: slow.url, secret },
        { id: 'fast', url: fast.url, secret },
      ],
      allowNetworks: LOOPBACK,
      concurrency: 8,
      endpointConcurrency: 2,
      timeoutMs: 10_000,
      retry: { schedule: [] },
    });
    cleanup.push(() => client.close());
    let slowEnded = 0;
    client.on('attempt', (e) => {
      if (e.endpointId === 'slow') slowEnded += 1;
    });

    for (let i = 0; i < 20; i++) await client.send(subscription({ username: `user-${i}` }));
    await fast.waitFor(20, undefined, 8_000);
    // All 20 went to the fast endpoint while the slow one still held its two requests open.
    expect(slowEnded).toBe(0);
    await slow.waitFor(2);
    expect(slow.requests).toHaveLength(2);
    await slow.close(); // ends the two hanging attempts, so close() does not wait for their deadline
  }, 20_000);
});
