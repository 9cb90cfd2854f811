import { byDue, dueFetchSize, pickInDueOrder, type Capacity, type DueRow } from '../due-rows';

/** The largest per-endpoint room passed to SQL (an integer there). */
const MAX_ROOM = 2_147_483_647;

/** How pickDue reads the waiting rows (all due at the lease's `now`). */
export interface DueReads {
  /** The oldest due rows, at most `fetch`. */
  inOrder(fetch: number): Promise<DueRow[]>;
  /** Every endpoint with waiting work. */
  endpoints(): Promise<string[]>;
  /** The oldest due rows of each endpoint, at most its `room`. */
  forEndpoints(endpointIds: string[], rooms: number[]): Promise<DueRow[]>;
}

/**
 * The due deliveries to claim: oldest first, first-in first-out among equals, within each endpoint's
 * capacity. Read without locks: the claim that follows rechecks every row, so a row another worker
 * claimed in between is only one lease fewer.
 */
export async function pickDue(limit: number, capacity: Capacity, reads: DueReads): Promise<DueRow[]> {
  const fetch = dueFetchSize(limit);
  const { picked, exact } = pickInDueOrder(await reads.inOrder(fetch), fetch, limit, capacity);
  if (exact) return picked;
  // Endpoints without capacity hold the oldest rows: take each endpoint's own oldest instead.
  const endpointIds: string[] = [];
  const rooms: number[] = [];
  for (const endpointId of await reads.endpoints()) {
    const left = Math.min(capacity?.(endpointId) ?? Infinity, limit, MAX_ROOM);
    if (left <= 0) continue;
    endpointIds.push(endpointId);
    rooms.push(left);
  }
  const candidates = endpointIds.length === 0 ? [] : await reads.forEndpoints(endpointIds, rooms);
  return candidates.sort(byDue).slice(0, limit);
}
