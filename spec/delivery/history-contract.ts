import { describe } from 'vitest';
import type { QueueContractOptions } from './contract-clock';
import { useContractFixture } from './contract-fixture';
import { describeHistoryActions } from './history-contract-actions';
import { describeHistoryQueries } from './history-contract-queries';
import type { HistoryQueue } from './history-fixture';

export type { HistoryQueue } from './history-fixture';

/**
 * The behaviour every queue's MessageHistory must have (queryMessages, endpointStats, recover,
 * erasePayload, prune), through the interfaces only. Like describeQueueContract it passes `now`
 * explicitly and prefixes message ids per test; the factory returns a fresh, empty queue. A real-clock
 * queue (BullMQ) passes `{ clock: 'real' }`: message times (`createdAt`) are plain data well before the
 * test's start, and only leases wait for real time (once per test, at its start).
 *
 * Decided here, where the interface leaves room:
 * - a cursor is a position (createdAt, id), so messages that arrive between pages never shift them;
 * - endpointStats' lastSuccessAt/lastFailureAt are the `startedAt` of the endpoint's last 2xx / other
 *   attempt among the deliveries it counts (messages created in the window);
 * - a delivery leased when its payload is erased is cancelled at once (not pending, never leased or
 *   due again); its holder's settle still records the attempt and returns true, and it stays cancelled;
 * - erasing again keeps the first erasedAt; prune with both rules deletes what either selects.
 */
export function describeHistoryContract(
  name: string,
  makeQueue: () => HistoryQueue | Promise<HistoryQueue>,
  options: QueueContractOptions = {},
): void {
  const timeout = options.clock === 'real' ? 60_000 : undefined;
  describe(`${name} keeps the MessageHistory contract`, { timeout }, () => {
    const fixture = useContractFixture(makeQueue, options);
    describeHistoryQueries(fixture);
    describeHistoryActions(fixture);
  });
}
