import { WebhookClientConfigError } from '../errors';
import { checkOptionsObject, describe, durationMs, type OptionScope } from '../options';

/** The Standard Webhooks schedule: the waits before attempts 2 to 10 (the first is immediate). */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
];

export interface RetryOptions {
  /**
   * Milliseconds to wait before attempts 2, 3, …; its length + 1 is the number of attempts. Each wait is
   * from 0 to 2147483647 (about 24.8 days). Default: the Standard Webhooks schedule (5 s, 5 min, 30 min,
   * 2 h, 5 h, 10 h, 14 h, 20 h, 24 h).
   */
  schedule?: readonly number[];
  /** Random spread of each wait, as a fraction: 0.2 waits 80–120 % of it. Default: 0.2. */
  jitter?: number;
  /** The longest `Retry-After` honoured, in milliseconds (0 to 2147483647); a longer one is cut to this. Default: 24 h. */
  maxRetryAfterMs?: number;
}

/** What one attempt came to, as the policy sees it. */
export interface AttemptOutcome {
  readonly status?: number;
  /** Why there was no response (`timeout`, `ssrf-blocked`, …), for the decision's reason. */
  readonly errorCode?: string;
  readonly retryAfter?: string;
}

export type RetryDecision =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'disable' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly reason: string }
  | { readonly kind: 'exhausted'; readonly reason: string };

/**
 * When to try again. 2xx is delivered; 410 disables the endpoint; anything else (3xx, 4xx, 5xx, network
 * errors, timeouts) is retried on the schedule until it runs out. A `Retry-After` (seconds or an HTTP
 * date) is honoured: the next attempt is never earlier than it asks, and never later than `maxRetryAfterMs`.
 */
export class RetryPolicy {
  readonly schedule: readonly number[];
  readonly jitter: number;
  readonly maxRetryAfterMs: number;

  constructor(
    options: RetryOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    checkRetryOptions(options, 'new RetryPolicy(options)');
    this.schedule = options.schedule ?? DEFAULT_RETRY_SCHEDULE;
    this.jitter = options.jitter ?? 0.2;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 24 * 3_600_000;
  }

  /** @param attemptsInRound attempts made since the message was queued (or redelivered), this one included. */
  decide(outcome: AttemptOutcome, attemptsInRound: number, now: number): RetryDecision {
    const { status } = outcome;
    if (status !== undefined && status >= 200 && status < 300) return { kind: 'delivered' };
    if (status === 410) return { kind: 'disable' };
    const reason = status !== undefined ? `HTTP ${status}` : (outcome.errorCode ?? 'no response');
    const wait = this.schedule[attemptsInRound - 1];
    if (wait === undefined) return { kind: 'exhausted', reason };
    const jittered = Math.round(wait * (1 + this.jitter * (2 * this.random() - 1)));
    const retryAfter = parseRetryAfter(outcome.retryAfter, now);
    const delayMs =
      retryAfter === undefined ? jittered : Math.max(jittered, Math.min(retryAfter, this.maxRetryAfterMs));
    return { kind: 'retry', delayMs, reason };
  }
}

/**
 * The three HTTP-date forms (RFC 9110 §5.6.7): IMF-fixdate, RFC 850 and asctime. Anything else is not a
 * date, even when `Date.parse` would find a year in it.
 */
const HTTP_DATE: readonly RegExp[] = [
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
];

/** `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`, as milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!HTTP_DATE.some((format) => format.test(trimmed))) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

const KNOWN: readonly (keyof RetryOptions)[] = ['schedule', 'jitter', 'maxRetryAfterMs'];

/**
 * Checks retry options where they are given (`new WebhookClient({ retry })`, `@Webhook(name, { retry })`,
 * `new RetryPolicy(options)`), so a bad schedule fails before any message is accepted. Unknown keys are
 * refused with a did-you-mean. Throws a `WebhookClientConfigError`, code `unknown-option` or
 * `invalid-option`, whose message starts with `where`.
 */
export function checkRetryOptions(options: RetryOptions | undefined, where: string): void {
  if (options === undefined) return;
  const scope: OptionScope = { where, fail: (code, message) => new WebhookClientConfigError(code, message) };
  checkOptionsObject(options, KNOWN, scope, '{ schedule: [5000, 300000], jitter: 0.2 }');
  const { schedule, jitter } = options;
  if (schedule !== undefined) {
    if (!Array.isArray(schedule)) {
      throw scope.fail(
        'invalid-option',
        `${where}: schedule must be an array of milliseconds, e.g. [5000, 300000]; got ${describe(schedule)}.`,
      );
    }
    for (const [i, wait] of schedule.entries()) durationMs(wait, 0, `schedule[${i}]`, scope, { allowZero: true });
  }
  if (jitter !== undefined && !(typeof jitter === 'number' && jitter >= 0 && jitter < 1)) {
    throw scope.fail(
      'invalid-option',
      `${where}: jitter must be a fraction from 0 (no jitter) to below 1, e.g. 0.2; got ${describe(jitter)}.`,
    );
  }
  durationMs(options.maxRetryAfterMs, 0, 'maxRetryAfterMs', scope, { allowZero: true });
}
