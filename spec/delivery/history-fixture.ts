import { expect } from 'vitest';
import type {
  DeliveryQueue,
  Lease,
  MessageHistory,
  MessageQuery,
  MessageRecord,
  MessageView,
  NewDelivery,
  Page,
} from '../../lib/delivery';
import { DeliveryQueueError } from '../../lib/errors';
import { attemptAt, type ContractFixture } from './contract-fixture';

export type HistoryQueue = DeliveryQueue & MessageHistory;

/** Far enough ahead that no test reaches it: a delivery due then is never leased. */
export const FAR = 1_000_000_000;

/**
 * How a planned delivery ends up: the five states by name; `gone` is disabled by a 410 after one attempt,
 * `redelivered` exhausted after one attempt and then redelivered, due at T0 (pending again, with a fresh
 * schedule).
 */
export type Plan = 'pending' | 'failing' | 'delivered' | 'exhausted' | 'disabled' | 'gone' | 'redelivered';

export interface PlannedMessage {
  readonly label: string;
  /** Milliseconds after the fixture's base time. */
  readonly at: number;
  readonly owner?: string;
  readonly event?: string;
  /** Endpoint id → how its delivery ends up. */
  readonly deliveries: Readonly<Record<string, Plan>>;
  /** Erase the payload once every delivery is settled (its pending deliveries end cancelled). */
  readonly erase?: boolean;
}

/** The helpers of the history suite, over the per-test fixture. */
export function historyHelpers(f: ContractFixture<HistoryQueue>) {
  /** createdAt of the messages: an integer well before T0, so that no message is due because of it. */
  const created = (at: number): number => f.T0 - 10_000_000 + at;

  const record = (m: PlannedMessage): MessageRecord => ({
    id: f.id(m.label),
    event: m.event ?? 'order.paid',
    body: JSON.stringify({ order: m.label }),
    createdAt: created(m.at),
    ...(m.owner === undefined ? {} : { owner: m.owner }),
  });

  /** An attempt a second after the message was created, so tests know its time. */
  const attemptOf = (m: PlannedMessage, number: number, status?: number) =>
    attemptAt(number, created(m.at) + 1_000 * number, status);

  /** Enqueues the messages, then leases what is due and settles each delivery as planned. */
  async function build(plan: readonly PlannedMessage[]): Promise<void> {
    for (const m of plan) {
      const deliveries: NewDelivery[] = Object.entries(m.deliveries).map(([endpointId, state]) => ({
        endpointId,
        url: `https://${endpointId}.example.com/hooks`,
        nextAttemptAt: state === 'pending' ? f.T0 + FAR : f.T0,
        ...(state === 'disabled' ? { status: 'disabled' as const } : {}),
      }));
      await f.queue.enqueue(record(m), deliveries);
    }
    const due = plan.reduce(
      (count, m) => count + Object.values(m.deliveries).filter((s) => s !== 'pending' && s !== 'disabled').length,
      0,
    );
    // A queue may hand out due work over several calls: lease until everything due is held.
    const byKey = new Map<string, Lease>();
    for (let calls = 0; byKey.size < due && calls < 20; calls += 1) {
      const leases = await f.lease(f.T0, { limit: 1_000 });
      if (leases.length === 0) break;
      for (const l of leases) byKey.set(`${l.message.id}/${l.delivery.endpointId}`, l);
    }
    for (const m of plan) {
      for (const [endpointId, state] of Object.entries(m.deliveries)) {
        if (state === 'pending' || state === 'disabled') continue;
        const lease = byKey.get(`${f.id(m.label)}/${endpointId}`) as Lease;
        expect(lease, `${m.label}/${endpointId} was leased`).toBeDefined();
        const settled =
          state === 'failing'
            ? f.queue.settle(lease, attemptOf(m, 1, 503), { status: 'pending', nextAttemptAt: f.T0 + FAR })
            : state === 'delivered'
              ? f.queue.settle(lease, attemptOf(m, 1, 200), { status: 'delivered' })
              : state === 'gone'
                ? f.queue.settle(lease, attemptOf(m, 1, 410), { status: 'disabled' })
                : f.queue.settle(lease, attemptOf(m, 1), { status: 'exhausted' });
        expect(await settled).toBe(true);
        if (state === 'redelivered') {
          expect(await f.queue.redeliver(f.id(m.label), { now: f.T0, endpointId })).toBe(1);
        }
      }
      if (m.erase) expect(await f.queue.erasePayload(f.id(m.label), { now: created(m.at) + 60_000 })).toBe(true);
    }
  }

  /** The labels of a page's messages, in order. */
  const labels = (page: Page<MessageView>): string[] => page.items.map((item) => f.label(item.message.id));

  /** Every page of a query, following the cursors (at most 100 pages). */
  async function walk(query: MessageQuery): Promise<{ labels: string[]; pages: number }> {
    const all: string[] = [];
    let cursor: string | undefined;
    for (let pages = 1; pages <= 100; pages += 1) {
      const page = await f.queue.queryMessages({ ...query, ...(cursor === undefined ? {} : { cursor }) });
      all.push(...labels(page));
      if (page.nextCursor === undefined) return { labels: all, pages };
      cursor = page.nextCursor;
    }
    throw new Error('more than 100 pages');
  }

  /** The labels a query lists on its first page of up to 250. */
  const list = async (query: MessageQuery = {}): Promise<string[]> =>
    labels(await f.queue.queryMessages({ limit: 250, ...query }));

  /** Resolves to the DeliveryQueueError a promise rejects with (and fails if it resolves). */
  async function rejection(promise: Promise<unknown>): Promise<DeliveryQueueError> {
    const outcome = await promise.then(
      () => new Error('resolved, but a DeliveryQueueError was expected'),
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(DeliveryQueueError);
    return outcome as DeliveryQueueError;
  }

  return { created, record, attemptOf, build, labels, walk, list, rejection };
}
