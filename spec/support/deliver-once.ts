import { generateSecret, WebhookClient } from 'hookspec';
import type { AttemptRecord, WebhookClientOptions, WebhookEndpoint } from 'hookspec';
import { Subscription, subscription } from '../client/fixtures';

export type OnceOptions = Omit<
  Partial<WebhookClientOptions<readonly [typeof Subscription]>>,
  'webhooks' | 'endpoints'
> & {
  /** The endpoint's own fields besides `url`. Default: a fresh secret. */
  endpoint?: Omit<WebhookEndpoint, 'url'>;
  /** The payload sent. Default: `subscription()`. */
  payload?: Subscription;
};

/** The first attempt of one delivery, and the retry it scheduled (a failed attempt schedules one). */
export interface OnceResult {
  readonly attempt: AttemptRecord;
  /** The wait before the second attempt; undefined when the first was delivered or ended the delivery. */
  readonly retryDelayMs: number | undefined;
  /** The secret the endpoint signed with. */
  readonly secret: string;
}

/**
 * Sends one webhook to `url` through a real `WebhookClient` (its own transport, SSRF guard and all) and
 * returns its first attempt as the attempt log records it, then closes the client. The retry it may
 * schedule is an hour away, so it never runs.
 */
export async function deliverOnce(url: string, options: OnceOptions = {}): Promise<OnceResult> {
  const { endpoint, payload, ...clientOptions } = options;
  const secret = generateSecret();
  const client = new WebhookClient({
    webhooks: [Subscription],
    endpoints: [{ url, secret, ...endpoint }],
    retry: { schedule: [3_600_000], jitter: 0 },
    ...clientOptions,
  });
  try {
    let retryDelayMs: number | undefined;
    client.once('retry-scheduled', (event) => {
      retryDelayMs = event.delayMs;
    });
    const attempt = new Promise<AttemptRecord>((resolve) => client.once('attempt', (event) => resolve(event.attempt)));
    await client.send(payload ?? subscription());
    // 'retry-scheduled' is emitted synchronously right after 'attempt', before this continues.
    const first = await attempt;
    return { attempt: first, retryDelayMs, secret };
  } finally {
    await client.close();
  }
}
