import { describe, expect, it } from 'vitest';
import {
  checkRetryOptions,
  DEFAULT_RETRY_SCHEDULE,
  parseRetryAfter,
  RetryPolicy,
  type RetryDecision,
  type RetryOptions,
} from '../../lib/delivery';
import { WebhookClientConfigError } from '../../lib/errors';
import { MAX_DURATION_MS } from '../../lib/options';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
// A whole second: HTTP dates have second precision, so `now + 7000` survives toUTCString exactly.
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

/** A policy without jitter, so waits are exact. */
const exact = (options: ConstructorParameters<typeof RetryPolicy>[0] = {}) =>
  new RetryPolicy({ jitter: 0, ...options });

const delayOf = (decision: RetryDecision): number => {
  if (decision.kind !== 'retry') throw new Error(`expected a retry, got ${decision.kind}`);
  return decision.delayMs;
};

describe('RetryPolicy outcomes', () => {
  it.each([200, 204, 299])('counts HTTP %i as delivered', (status) => {
    expect(new RetryPolicy().decide({ status }, 1, NOW)).toEqual({ kind: 'delivered' });
  });

  it('counts a 2xx as delivered even on the last attempt and with a Retry-After', () => {
    expect(new RetryPolicy().decide({ status: 200, retryAfter: '60' }, 10, NOW)).toEqual({ kind: 'delivered' });
  });

  it('disables the endpoint on 410 Gone instead of retrying', () => {
    expect(new RetryPolicy().decide({ status: 410 }, 1, NOW)).toEqual({ kind: 'disable' });
  });

  it('disables on 410 even when the schedule is used up', () => {
    expect(new RetryPolicy().decide({ status: 410 }, 10, NOW)).toEqual({ kind: 'disable' });
  });

  it.each([301, 302, 304, 307, 308])('retries a %i: redirects are failures, never followed', (status) => {
    expect(exact().decide({ status }, 1, NOW)).toEqual({
      kind: 'retry',
      delayMs: 5 * SECOND,
      reason: `HTTP ${status}`,
    });
  });

  it.each([400, 401, 403, 404, 408, 409, 429])('retries a %i client error', (status) => {
    expect(exact().decide({ status }, 1, NOW)).toEqual({
      kind: 'retry',
      delayMs: 5 * SECOND,
      reason: `HTTP ${status}`,
    });
  });

  it.each([500, 502, 503, 504])('retries a %i server error', (status) => {
    expect(exact().decide({ status }, 1, NOW)).toEqual({
      kind: 'retry',
      delayMs: 5 * SECOND,
      reason: `HTTP ${status}`,
    });
  });

  it('retries when no response came (network error or timeout)', () => {
    expect(exact().decide({}, 1, NOW)).toEqual({ kind: 'retry', delayMs: 5 * SECOND, reason: 'no response' });
  });
});

describe('the default schedule', () => {
  it('is the Standard Webhooks one: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h', () => {
    expect(DEFAULT_RETRY_SCHEDULE).toEqual([
      5 * SECOND,
      5 * MINUTE,
      30 * MINUTE,
      2 * HOUR,
      5 * HOUR,
      10 * HOUR,
      14 * HOUR,
      20 * HOUR,
      24 * HOUR,
    ]);
    expect(new RetryPolicy().schedule).toEqual(DEFAULT_RETRY_SCHEDULE);
  });

  it('waits each scheduled time after attempts 1 to 9, in order', () => {
    const policy = exact();
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempt) => delayOf(policy.decide({ status: 503 }, attempt, NOW)));
    expect(waits).toEqual([...DEFAULT_RETRY_SCHEDULE]);
  });

  it('makes 10 attempts: exhausted after the 10th fails, with the reason of the last failure', () => {
    const policy = exact();
    expect(policy.decide({ status: 503 }, 9, NOW).kind).toBe('retry');
    expect(policy.decide({ status: 503 }, 10, NOW)).toEqual({ kind: 'exhausted', reason: 'HTTP 503' });
    expect(policy.decide({}, 10, NOW)).toEqual({ kind: 'exhausted', reason: 'no response' });
  });

  it('ignores Retry-After once the schedule is used up', () => {
    expect(exact().decide({ status: 429, retryAfter: '10' }, 10, NOW)).toEqual({
      kind: 'exhausted',
      reason: 'HTTP 429',
    });
  });

  it('has ±20 % jitter and a 24 h Retry-After cap by default', () => {
    const policy = new RetryPolicy();
    expect(policy.jitter).toBe(0.2);
    expect(policy.maxRetryAfterMs).toBe(24 * HOUR);
  });
});

describe('a custom schedule', () => {
  it.each([
    [[], 1],
    [[100], 2],
    [[100, 200, 300], 4],
  ])('of waits %j gives %i attempts', (schedule, attempts) => {
    const policy = exact({ schedule });
    for (let attempt = 1; attempt < attempts; attempt += 1) {
      expect(delayOf(policy.decide({ status: 500 }, attempt, NOW))).toBe(schedule[attempt - 1]);
    }
    expect(policy.decide({ status: 500 }, attempts, NOW).kind).toBe('exhausted');
  });

  it('restarts from its first wait when attemptsInRound starts again at 1 after a redelivery', () => {
    const policy = exact({ schedule: [100, 200] });
    expect(policy.decide({ status: 500 }, 3, NOW).kind).toBe('exhausted');
    // After a redelivery the worker counts only the attempts since it (attempts - scheduleBase).
    expect(policy.decide({ status: 500 }, 1, NOW)).toEqual({ kind: 'retry', delayMs: 100, reason: 'HTTP 500' });
    expect(delayOf(policy.decide({ status: 500 }, 2, NOW))).toBe(200);
  });
});

describe('jitter', () => {
  const randomOf = (value: number) => () => value;

  it.each([
    [0, 4_000, 240_000],
    [0.5, 5_000, 300_000],
    [0.9999999999, 6_000, 360_000],
  ])('with random() = %f waits %i ms for 5 s and %i ms for 5 min', (random, fiveSeconds, fiveMinutes) => {
    const policy = new RetryPolicy({}, randomOf(random));
    expect(delayOf(policy.decide({ status: 500 }, 1, NOW))).toBe(fiveSeconds);
    expect(delayOf(policy.decide({ status: 500 }, 2, NOW))).toBe(fiveMinutes);
  });

  it('stays within ±20 % of every scheduled wait over many draws', () => {
    const policy = new RetryPolicy();
    DEFAULT_RETRY_SCHEDULE.forEach((wait, index) => {
      for (let draw = 0; draw < 200; draw += 1) {
        const delay = delayOf(policy.decide({ status: 500 }, index + 1, NOW));
        expect(delay).toBeGreaterThanOrEqual(wait * 0.8);
        expect(delay).toBeLessThanOrEqual(wait * 1.2);
      }
    });
  });

  it('uses the configured fraction: 0.5 spreads 5 s over 2.5–7.5 s', () => {
    expect(delayOf(new RetryPolicy({ jitter: 0.5 }, randomOf(0)).decide({}, 1, NOW))).toBe(2_500);
    expect(delayOf(new RetryPolicy({ jitter: 0.5 }, randomOf(0.9999999999)).decide({}, 1, NOW))).toBe(7_500);
  });

  it('of 0 gives the exact scheduled waits whatever random() returns', () => {
    for (const random of [0, 0.25, 0.9999999999]) {
      const policy = new RetryPolicy({ jitter: 0 }, randomOf(random));
      expect(delayOf(policy.decide({ status: 500 }, 1, NOW))).toBe(5 * SECOND);
      expect(delayOf(policy.decide({ status: 500 }, 9, NOW))).toBe(24 * HOUR);
    }
  });
});

describe('Retry-After', () => {
  it('in seconds makes the wait at least that long', () => {
    expect(delayOf(exact().decide({ status: 503, retryAfter: '7' }, 1, NOW))).toBe(7_000);
  });

  it('as an HTTP date makes the wait last until that date', () => {
    const retryAfter = new Date(NOW + 7_000).toUTCString();
    expect(delayOf(exact().decide({ status: 503, retryAfter }, 1, NOW))).toBe(7_000);
  });

  it('wins over the jittered wait when it is longer', () => {
    const policy = new RetryPolicy({}, () => 0.9999999999);
    expect(delayOf(policy.decide({ status: 429, retryAfter: '30' }, 1, NOW))).toBe(30_000);
  });

  it('longer than maxRetryAfterMs is cut to maxRetryAfterMs', () => {
    const policy = exact({ maxRetryAfterMs: 60_000 });
    expect(delayOf(policy.decide({ status: 503, retryAfter: '3600' }, 1, NOW))).toBe(60_000);
    const far = new Date(NOW + 2 * HOUR).toUTCString();
    expect(delayOf(policy.decide({ status: 503, retryAfter: far }, 1, NOW))).toBe(60_000);
  });

  it('is cut to 24 h by default', () => {
    expect(delayOf(exact().decide({ status: 503, retryAfter: String(7 * 24 * 3600) }, 1, NOW))).toBe(24 * HOUR);
  });

  it('never shortens a scheduled wait that is longer than the cap', () => {
    const policy = exact({ schedule: [2 * HOUR], maxRetryAfterMs: HOUR });
    expect(delayOf(policy.decide({ status: 503, retryAfter: String(3 * 3600) }, 1, NOW))).toBe(2 * HOUR);
  });

  it('shorter than the scheduled wait keeps the scheduled wait', () => {
    expect(delayOf(exact().decide({ status: 503, retryAfter: '10' }, 2, NOW))).toBe(5 * MINUTE);
    expect(delayOf(exact().decide({ status: 503, retryAfter: '0' }, 1, NOW))).toBe(5 * SECOND);
  });

  it.each(['soon', '', '5 minutes', '120s', '1e3', 'Infinity'])('%j is ignored', (retryAfter) => {
    expect(delayOf(exact().decide({ status: 503, retryAfter }, 1, NOW))).toBe(5 * SECOND);
  });

  it('as a date in the past is ignored', () => {
    const retryAfter = new Date(NOW - HOUR).toUTCString();
    expect(delayOf(exact().decide({ status: 503, retryAfter }, 1, NOW))).toBe(5 * SECOND);
  });

  it('ignores free text that merely contains a future year (not delay-seconds, not an HTTP date)', () => {
    expect(delayOf(exact().decide({ status: 503, retryAfter: 'in 2030' }, 1, NOW))).toBe(5 * SECOND);
  });
});

describe('parseRetryAfter', () => {
  it('returns undefined without a header', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });

  it('reads delay-seconds as milliseconds, around whitespace', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 5 ', NOW)).toBe(5_000);
    expect(parseRetryAfter('0', NOW)).toBe(0);
  });

  it('reads an IMF-fixdate as the milliseconds from now until it', () => {
    expect(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW)).toBe(90_000);
    expect(parseRetryAfter('Thu, 15 Jan 2026 12:00:07 GMT', NOW)).toBe(7_000);
  });

  it('reads the obsolete RFC 850 date form too', () => {
    expect(parseRetryAfter('Thursday, 15-Jan-26 12:00:07 GMT', NOW)).toBe(7_000);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
  });

  it('gives undefined for something that is neither', () => {
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
  });
});

describe('checkRetryOptions', () => {
  const WHERE = 'new WebhookClient({ retry })';
  const refusal = (options: unknown, where = WHERE): WebhookClientConfigError => {
    try {
      checkRetryOptions(options as RetryOptions, where);
    } catch (error) {
      expect(error).toBeInstanceOf(WebhookClientConfigError);
      return error as WebhookClientConfigError;
    }
    throw new Error(`expected ${JSON.stringify(options)} to be refused`);
  };

  it('accepts no options, empty options and sensible ones', () => {
    expect(() => checkRetryOptions(undefined, WHERE)).not.toThrow();
    expect(() => checkRetryOptions({}, WHERE)).not.toThrow();
    expect(() => checkRetryOptions({ schedule: [0, 5_000], jitter: 0, maxRetryAfterMs: 0 }, WHERE)).not.toThrow();
    expect(() => checkRetryOptions({ schedule: [], jitter: 0.99 }, WHERE)).not.toThrow();
    expect(() =>
      checkRetryOptions({ schedule: [MAX_DURATION_MS], maxRetryAfterMs: MAX_DURATION_MS }, WHERE),
    ).not.toThrow();
  });

  it('refuses an unknown key, naming the one meant', () => {
    const error = refusal({ jiter: 0.1 }, "@Webhook('order-paid', { retry })");
    expect(error.code).toBe('unknown-option');
    expect(error.message).toBe(
      "@Webhook('order-paid', { retry }): unknown option 'jiter' (did you mean 'jitter'?). " +
        'Known options: schedule, jitter, maxRetryAfterMs.',
    );
  });

  it('refuses retry options that are not an object', () => {
    expect(refusal(5_000)).toMatchObject({
      code: 'invalid-option',
      message: expect.stringMatching(
        /^new WebhookClient\(\{ retry \}\) needs an options object, e\.g\. .* got 5000\.$/,
      ),
    });
  });

  it.each([
    [[5_000, -1], 'schedule[1]', '-1'],
    [[Number.NaN], 'schedule[0]', 'NaN'],
    [[Number.POSITIVE_INFINITY], 'schedule[0]', 'Infinity'],
    [[MAX_DURATION_MS + 1], 'schedule[0]', String(MAX_DURATION_MS + 1)],
  ])('refuses the schedule %j, naming the wait at fault and the bounds', (schedule, name, got) => {
    expect(refusal({ schedule }, "@Webhook('order-paid', { retry })")).toMatchObject({
      code: 'invalid-option',
      message:
        `@Webhook('order-paid', { retry }): ${name} must be a number of milliseconds from 0 up to ` +
        `${MAX_DURATION_MS} (about 24.8 days), got ${got}.`,
    });
  });

  it('refuses a schedule that is not an array', () => {
    expect(refusal({ schedule: '5000' }).message).toBe(
      "new WebhookClient({ retry }): schedule must be an array of milliseconds, e.g. [5000, 300000]; got '5000'.",
    );
  });

  it.each([1, 1.5, -0.1, Number.NaN])('refuses jitter %f, saying what it got', (jitter) => {
    expect(refusal({ jitter })).toMatchObject({
      code: 'invalid-option',
      message: `${WHERE}: jitter must be a fraction from 0 (no jitter) to below 1, e.g. 0.2; got ${jitter}.`,
    });
  });

  it.each([-1, Number.NaN, MAX_DURATION_MS + 1])('refuses maxRetryAfterMs %f', (maxRetryAfterMs) => {
    expect(refusal({ maxRetryAfterMs })).toMatchObject({
      code: 'invalid-option',
      message: expect.stringContaining(`${WHERE}: maxRetryAfterMs must be a number of milliseconds from 0 up to`),
    });
  });

  it('is what new RetryPolicy() checks, with the same error', () => {
    expect(() => new RetryPolicy({ schedul: [1] } as RetryOptions)).toThrow(
      expect.objectContaining({
        name: 'WebhookClientConfigError',
        code: 'unknown-option',
        message: expect.stringContaining(
          "new RetryPolicy(options): unknown option 'schedul' (did you mean 'schedule'?)",
        ),
      }),
    );
  });
});
