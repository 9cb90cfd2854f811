export type Capacity = ((endpointId: string) => number) | undefined;

/** A waiting delivery, as the due-order indexes hold it: enough to choose deliveries without reading their rows. */
export interface DueRow {
  readonly seq: number;
  readonly endpoint_id: string;
  readonly next_attempt_at: number;
}

/**
 * Due rows read in one pass of the global due-order index before falling back to one probe per endpoint.
 * The pass is exact whenever it fills the request or reaches the end of the due rows; only endpoints at
 * capacity that hold more than this many of the oldest rows send lease() to the per-endpoint path.
 */
export const SCAN_SLACK = 64;

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

const byDue = (a: DueRow, b: DueRow): number => a.next_attempt_at - b.next_attempt_at || a.seq - b.seq;

/**
 * The due deliveries to claim: oldest first, first-in first-out among equals, within each endpoint's
 * capacity. Read without locks: the claim that follows rechecks every row, so a row another worker
 * claimed in between is only one lease fewer.
 */
export async function pickDue(limit: number, capacity: Capacity, reads: DueReads): Promise<DueRow[]> {
  const fetch = Math.min(limit + SCAN_SLACK, Number.MAX_SAFE_INTEGER);
  const rows = await reads.inOrder(fetch);
  const room = new Map<string, number>();
  const picked: DueRow[] = [];
  for (const row of rows) {
    const left = room.get(row.endpoint_id) ?? capacity?.(row.endpoint_id) ?? Infinity;
    if (left <= 0) {
      room.set(row.endpoint_id, left);
      continue;
    }
    room.set(row.endpoint_id, left - 1);
    picked.push(row);
    if (picked.length === limit) return picked;
  }
  if (rows.length < fetch) return picked;
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
