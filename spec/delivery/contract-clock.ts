/**
 * How the queue conformance suite tells time. With the explicit clock (the default) `now` is a number
 * the suite passes and nothing waits: the queue must never read Date.now. With the real clock (BullMQ,
 * whose scripts and lock TTLs run on Redis's time) T0 is a moment just ahead of Date.now(), offsets are
 * scaled down so that a test waits seconds rather than minutes, and the suite waits for real time to
 * reach a `now` before it leases at that `now`.
 */
export interface QueueContractOptions {
  /** Default: 'explicit'. */
  readonly clock?: 'explicit' | 'real';
  /** Real clock: the length of the short leases that tests let expire. Default: 1500 ms. */
  readonly leaseMs?: number;
  /** Real clock: an offset of x ms in a test is x × scale ms of real time. Default: 0.1. */
  readonly scale?: number;
  /** Real clock: T0 is this far ahead of Date.now(), so a test's enqueues all happen before T0. Default: 750 ms. */
  readonly headroomMs?: number;
  /** Real clock: the longest wait for an expired lease to be handed out again. Default: 15000 ms. */
  readonly expiryWaitMs?: number;
}

export interface ContractClock {
  readonly real: boolean;
  /** Start of the current test (epoch ms). */
  readonly T0: number;
  /** Length of a lease that a test lets expire. */
  readonly shortLeaseMs: number;
  /** The moment `offset` test-milliseconds after T0. */
  at(offset: number): number;
  /** "Much later": far past every lease and due time with the explicit clock; now with the real clock. */
  later(): number;
  /** Real clock: resolves once Date.now() has reached `now`; explicit: at once. */
  reach(now: number): Promise<void>;
  /** A time the queue reports (a lease's end): exact with the explicit clock, not before it and not much later with the real one. */
  isAbout(actual: number | undefined, expected: number): boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Explicit: far from 0 and from the real clock, so a queue that reads Date.now shows up. */
const EXPLICIT_T0 = 1_000_000_000_000;

export function startClock(options: QueueContractOptions, explicitFarFuture: number): ContractClock {
  if (options.clock !== 'real') {
    return {
      real: false,
      T0: EXPLICIT_T0,
      shortLeaseMs: 1_000,
      at: (offset) => EXPLICIT_T0 + offset,
      later: () => EXPLICIT_T0 + explicitFarFuture,
      reach: async () => {},
      isAbout: (actual, expected) => actual === expected,
    };
  }
  const scale = options.scale ?? 0.1;
  const shortLeaseMs = options.leaseMs ?? 1_500;
  const T0 = Date.now() + (options.headroomMs ?? 750);
  const slackMs = shortLeaseMs + (options.expiryWaitMs ?? 15_000);
  return {
    real: true,
    T0,
    shortLeaseMs,
    at: (offset) => T0 + offset * scale,
    later: () => Date.now(),
    async reach(now) {
      if (now - Date.now() > 60_000) throw new Error(`the suite would wait ${now - Date.now()} ms; scale it down`);
      while (Date.now() < now) await sleep(Math.max(1, Math.ceil(now - Date.now())));
    },
    isAbout: (actual, expected) => actual !== undefined && actual >= expected && actual <= expected + slackMs,
  };
}

/** Calls `attempt` until it returns a non-empty list, for at most `timeoutMs`. */
export async function retryUntilNonEmpty<T>(attempt: () => Promise<T[]>, timeoutMs: number): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await attempt();
    if (got.length > 0 || Date.now() >= deadline) return got;
    await sleep(50);
  }
}
