import { generateSecret, WebhookClient } from 'hookspec';
import type { ExhaustedEvent } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingServer } from '../support/recording-server';
import { Subscription, subscription } from './fixtures';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('the SSRF guard, on by default', () => {
  it('refuses a loopback endpoint before connecting, and the message ends exhausted with the reason', async () => {
    const server = await startRecordingServer();
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ id: 'internal', url: `${server.url}/hook`, secret: generateSecret() }],
      retry: { schedule: [5] },
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    const exhausted: ExhaustedEvent[] = [];
    client.on('exhausted', (e) => exhausted.push(e));
    await client.send(subscription());
    await client.drain();
    expect(server.requests).toEqual([]);
    expect(exhausted[0]?.attempts.map((a) => a.errorCode)).toEqual(['ssrf-blocked', 'ssrf-blocked']);
    expect(exhausted[0]?.attempts[0]?.error).toMatch(/127\.0\.0\.1 \(loopback\)/);
  });

  it('lets the same endpoint through when its network is allowed on purpose', async () => {
    const server = await startRecordingServer();
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ url: `${server.url}/hook`, secret: generateSecret() }],
      allowNetworks: ['127.0.0.1/32'],
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    await client.send(subscription());
    await client.drain();
    expect(server.requests).toHaveLength(1);
  });
});
