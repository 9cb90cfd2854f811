import { MemorySeenStore, verifyWebhook } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { seenTtlSeconds } from '../../lib/receiver/verify-webhook';
import { NOW, NOW_SECONDS, SECRET, signedRequest, verificationRejection } from './signed-request';

/** A MemorySeenStore clock and the verification clock, moved together by hand. */
function clocks(start = NOW) {
  let current = start;
  return { now: () => current, advanceMs: (ms: number) => (current += ms) };
}

/** Verifies `request` at the clock's time with a shared store: 'accepted', or the failure code. */
async function attempt(
  request: ReturnType<typeof signedRequest>,
  clock: ReturnType<typeof clocks>,
  seen: MemorySeenStore,
  options: { toleranceSeconds?: number; seenTtlSeconds?: number } = {},
): Promise<string> {
  try {
    await verifyWebhook(request.body, request.headers, SECRET, { ...options, now: clock.now(), seen });
    return 'accepted';
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe('a seen id is kept at least as long as its message can still verify', () => {
  it('refuses a copy of a message stamped at the future edge until the copy itself stops verifying', async () => {
    const clock = clocks();
    const seen = new MemorySeenStore({}, clock.now);
    // Stamped 10 s ahead, with a 10 s tolerance: it verifies until the second NOW_SECONDS + 20 is over.
    const request = signedRequest({ id: 'msg_future_edge', timestamp: NOW_SECONDS + 10 });

    expect(await attempt(request, clock, seen, { toleranceSeconds: 10 })).toBe('accepted');
    clock.advanceMs(20_999);
    // Twice the tolerance (20 s) has passed, but the copy still verifies: it must still be a replay.
    expect(await attempt(request, clock, seen, { toleranceSeconds: 10 })).toBe('replayed');
    clock.advanceMs(1);
    expect(await attempt(request, clock, seen, { toleranceSeconds: 10 })).toBe('timestamp-too-old');
  });

  it('keeps the id past a shorter seenTtlSeconds while the message verifies', async () => {
    const clock = clocks(NOW + 999);
    const seen = new MemorySeenStore({}, clock.now);
    const request = signedRequest({ id: 'msg_short_ttl' });

    expect(await attempt(request, clock, seen, { toleranceSeconds: 5, seenTtlSeconds: 1 })).toBe('accepted');
    clock.advanceMs(5_000);
    expect(await attempt(request, clock, seen, { toleranceSeconds: 5, seenTtlSeconds: 1 })).toBe('replayed');
    clock.advanceMs(1);
    expect(await attempt(request, clock, seen, { toleranceSeconds: 5, seenTtlSeconds: 1 })).toBe('timestamp-too-old');
  });

  it('computes the window from the whole-second timestamp, rounded up, on both sides', () => {
    const at = (offsetMs: number, timestamp: number, toleranceSeconds = 10) =>
      seenTtlSeconds(new Date(timestamp * 1000), { now: NOW + offsetMs, toleranceSeconds, seenTtlSeconds: 1 });
    // Stamped now: verifies 10 more seconds, plus the rest of the current one.
    expect(at(0, NOW_SECONDS)).toBe(11);
    expect(at(400, NOW_SECONDS)).toBe(11);
    // Stamped at the future edge: 2 × 10 + 1.
    expect(at(0, NOW_SECONDS + 10)).toBe(21);
    // Stamped at the past edge: the rest of this second.
    expect(at(999, NOW_SECONDS - 10)).toBe(1);
    // The default stays twice the tolerance when that is longer than the window.
    expect(seenTtlSeconds(new Date(NOW), { now: NOW, toleranceSeconds: 10 })).toBe(20);
    // An infinite tolerance keeps ids for ever (MemorySeenStore bounds them by maxEntries).
    expect(seenTtlSeconds(new Date(NOW), { now: NOW, toleranceSeconds: Infinity })).toBe(Infinity);
  });

  it('refuses the same message again when the store has not yet forgotten it', async () => {
    const clock = clocks();
    const seen = new MemorySeenStore({}, clock.now);
    const request = signedRequest({ id: 'msg_plain' });
    expect(await attempt(request, clock, seen)).toBe('accepted');
    await verificationRejection(
      Promise.resolve(verifyWebhook(request.body, request.headers, SECRET, { now: clock.now(), seen })),
      'replayed',
    );
  });
});
