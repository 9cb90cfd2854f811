/*
 * What the SQL queues (SQLite, PostgreSQL) share to choose due deliveries: the row their due-order
 * indexes hold, the order, and the first pass over those rows within each endpoint's capacity.
 */

/** How many more deliveries to an endpoint may be leased now; undefined: no limit. */
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

/** Oldest due first, first-in first-out (acceptance order) among equals. */
export const byDue = (a: DueRow, b: DueRow): number => a.next_attempt_at - b.next_attempt_at || a.seq - b.seq;

/**
 * The first pass: `rows` (the oldest due, at most `fetch` of them) in order, skipping those whose endpoint
 * has no room left. `exact` is false when the pass read all `fetch` rows without filling `limit`: endpoints
 * at capacity may hide due work of others behind them, and the caller probes each endpoint instead.
 */
export function pickInDueOrder<R extends DueRow>(
  rows: readonly R[],
  fetch: number,
  limit: number,
  capacity: Capacity,
): { picked: R[]; exact: boolean } {
  const room = new Map<string, number>();
  const picked: R[] = [];
  for (const row of rows) {
    const left = room.get(row.endpoint_id) ?? capacity?.(row.endpoint_id) ?? Infinity;
    if (left <= 0) {
      room.set(row.endpoint_id, left);
      continue;
    }
    room.set(row.endpoint_id, left - 1);
    picked.push(row);
    if (picked.length === limit) return { picked, exact: true };
  }
  return { picked, exact: rows.length < fetch };
}

/** How many rows the first pass reads for a lease of `limit`. */
export const dueFetchSize = (limit: number): number => Math.min(limit + SCAN_SLACK, Number.MAX_SAFE_INTEGER);
