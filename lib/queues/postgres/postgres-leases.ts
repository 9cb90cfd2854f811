import { randomBytes } from 'node:crypto';
import type { Lease, LeaseRequest } from '../../delivery';
import { byDue, SCAN_SLACK, type Capacity, type DueRow } from '../due-rows';
import { pickDue } from './pick-due';
import {
  DELIVERY_COLUMNS,
  deliveryRecord,
  MESSAGE_COLUMNS,
  messageRecord,
  type DeliveryRow,
  type MessageDeliveryRow,
  type MessageRow,
  type RunQuery,
} from './postgres-rows';

/** The pending deliveries that nobody holds: the condition the partial `waiting` indexes are built on. */
const WAITING = "status = 'pending' AND leased_until IS NULL";

/** Reads and claims per lease() call when other workers take some of the rows read. */
const CLAIM_ROUNDS = 5;

/**
 * How a PostgresQueue hands out deliveries: read the due ones without locks, choose within each
 * endpoint's capacity, and claim the choice in one statement with `FOR UPDATE SKIP LOCKED`, which never
 * leases a row twice whatever other workers do meanwhile.
 */
export class PostgresLeases {
  constructor(
    /** The schema, quoted. */
    private readonly S: string,
    private readonly query: RunQuery,
  ) {}

  async lease(request: LeaseRequest): Promise<Lease[]> {
    const limit = Number.isFinite(request.limit) ? Math.floor(request.limit) : Number.MAX_SAFE_INTEGER;
    if (!(limit > 0)) return [];
    const { now } = request;
    const leasedUntil = now + request.leaseMs;
    const secret = randomBytes(12).toString('base64url');
    const leases: Lease[] = [];
    const taken = new Map<string, number>();
    const { endpointCapacity } = request;
    const capacity =
      endpointCapacity && ((endpointId: string) => endpointCapacity(endpointId) - (taken.get(endpointId) ?? 0));
    // Another worker may claim some of the rows read between the read and the claim: read again for
    // the rest, a few times (each lost row is one that worker leased, so the rounds are bounded by work).
    for (let round = 0; round < CLAIM_ROUNDS && leases.length < limit; round += 1) {
      const picked = await this.pickDue(now, limit - leases.length, capacity, round === 0);
      if (picked.length === 0) break;
      const claimed = await this.claim(picked, now, leasedUntil, secret);
      for (const lease of claimed) {
        const endpointId = lease.delivery.endpointId;
        taken.set(endpointId, (taken.get(endpointId) ?? 0) + 1);
      }
      leases.push(...claimed);
      if (claimed.length === picked.length) break;
    }
    return leases;
  }

  async nextDueAt(endpointCapacity?: (endpointId: string) => number): Promise<number | undefined> {
    const S = this.S;
    const room = new Map<string, boolean>();
    const hasRoom = (endpointId: string): boolean => {
      let free = room.get(endpointId);
      if (free === undefined) {
        free = (endpointCapacity?.(endpointId) ?? Infinity) > 0;
        room.set(endpointId, free);
      }
      return free;
    };
    let next: number | undefined;
    // The oldest waiting deliveries and every lease (its row carries leased_until as next_attempt_at), in
    // one statement. Leases are few (at most every worker's concurrency); the first with room is the earliest.
    const both = await this.query<DueRow & { leased: boolean }>(
      'nextDueAt()',
      `(SELECT false AS leased, seq, endpoint_id, next_attempt_at FROM ${S}.deliveries WHERE ${WAITING}
        ORDER BY next_attempt_at, seq LIMIT $1)
       UNION ALL
       (SELECT true, seq, endpoint_id, leased_until FROM ${S}.deliveries WHERE leased_until IS NOT NULL)`,
      [SCAN_SLACK],
    );
    const rows = both.filter((row) => !row.leased).sort(byDue);
    const leases = both.filter((row) => row.leased).sort(byDue);
    const first = rows.find((row) => hasRoom(row.endpoint_id));
    if (first) next = first.next_attempt_at;
    else if (rows.length === SCAN_SLACK) {
      const open = (await this.waitingEndpoints()).filter(hasRoom);
      const [earliest] = await this.query<{ at: number | null }>(
        'nextDueAt()',
        `SELECT min(first.at) AS at FROM unnest($1::text[]) AS e (endpoint_id),
         LATERAL (SELECT next_attempt_at AS at FROM ${S}.deliveries d
                  WHERE ${WAITING} AND d.endpoint_id = e.endpoint_id ORDER BY next_attempt_at LIMIT 1) AS first`,
        [open],
      );
      if (earliest?.at != null) next = earliest.at;
    }
    const leased = leases.find((row) => hasRoom(row.endpoint_id));
    if (leased && (next === undefined || leased.next_attempt_at < next)) next = leased.next_attempt_at;
    return next;
  }

  /**
   * The due deliveries to claim, read without locks (see pickDue). With `expire`, the first read also
   * gives back the deliveries of leases that outlived their holder (their token stops working) and counts
   * them among the due ones: one statement, where expiring and reading took two.
   */
  private pickDue(now: number, limit: number, capacity: Capacity, expire: boolean): Promise<DueRow[]> {
    const S = this.S;
    const inOrder = `SELECT seq, endpoint_id, next_attempt_at FROM ${S}.deliveries
                     WHERE ${WAITING} AND next_attempt_at <= $1 ORDER BY next_attempt_at, seq LIMIT $2`;
    return pickDue(limit, capacity, {
      inOrder: (fetch) =>
        this.query<DueRow>(
          'lease()',
          expire
            ? // The statement's snapshot does not see its own update: the expired rows join from RETURNING.
              `WITH expired AS (
                 UPDATE ${S}.deliveries SET lease_token = NULL, leased_until = NULL
                 WHERE leased_until IS NOT NULL AND leased_until <= $1
                 RETURNING seq, endpoint_id, next_attempt_at, status
               )
               SELECT seq, endpoint_id, next_attempt_at FROM (
                 (${inOrder})
                 UNION ALL
                 SELECT seq, endpoint_id, next_attempt_at FROM expired
                 WHERE status = 'pending' AND next_attempt_at <= $1
               ) AS due ORDER BY next_attempt_at, seq LIMIT $2`
            : inOrder,
          [now, fetch],
        ),
      endpoints: () => this.waitingEndpoints(),
      forEndpoints: (endpointIds, rooms) =>
        this.query<DueRow>(
          'lease()',
          `SELECT due.* FROM unnest($1::text[], $2::integer[]) AS e (endpoint_id, room),
           LATERAL (SELECT seq, endpoint_id, next_attempt_at FROM ${S}.deliveries d
                    WHERE ${WAITING} AND d.endpoint_id = e.endpoint_id AND next_attempt_at <= $3
                    ORDER BY next_attempt_at, seq LIMIT e.room) AS due`,
          [endpointIds, rooms, now],
        ),
    });
  }

  /**
   * Leases the picked deliveries in one statement: rows another worker holds are skipped, rows it
   * claimed since are not waiting any more when rechecked, and neither is leased twice. In due order.
   */
  private async claim(picked: readonly DueRow[], now: number, leasedUntil: number, secret: string): Promise<Lease[]> {
    const S = this.S;
    const rows = await this.query<MessageDeliveryRow & { lease_token: string }>(
      'lease()',
      `WITH claimed AS (
         UPDATE ${S}.deliveries d SET lease_token = d.seq || '.' || $2, leased_until = $3
         WHERE d.seq IN (SELECT seq FROM ${S}.deliveries
                         WHERE seq = ANY($1::bigint[]) AND ${WAITING} AND next_attempt_at <= $4
                         FOR UPDATE SKIP LOCKED)
         RETURNING d.*
       )
       SELECT ${MESSAGE_COLUMNS}, d.lease_token, ${DELIVERY_COLUMNS(S)}
       FROM claimed d JOIN ${S}.messages m ON m.id = d.message_id`,
      [picked.map((row) => row.seq), secret, leasedUntil, now],
    );
    const order = new Map(picked.map((row, index) => [row.seq, index]));
    return rows
      .sort((a, b) => (order.get(a.seq as number) ?? 0) - (order.get(b.seq as number) ?? 0))
      .map((row) => ({
        token: row.lease_token,
        message: messageRecord(row),
        delivery: deliveryRecord(row as MessageRow & DeliveryRow),
        leasedUntil,
      }));
  }

  /** The endpoints with waiting work, one index probe each (a loose index scan) rather than a pass over every row. */
  private async waitingEndpoints(): Promise<string[]> {
    const S = this.S;
    const rows = await this.query<{ id: string }>(
      'lease()',
      `WITH RECURSIVE endpoints (id) AS (
         (SELECT endpoint_id FROM ${S}.deliveries WHERE ${WAITING} ORDER BY endpoint_id LIMIT 1)
         UNION ALL
         SELECT (SELECT endpoint_id FROM ${S}.deliveries
                 WHERE ${WAITING} AND endpoint_id > endpoints.id ORDER BY endpoint_id LIMIT 1)
         FROM endpoints WHERE endpoints.id IS NOT NULL
       )
       SELECT id FROM endpoints WHERE id IS NOT NULL`,
    );
    return rows.map((row) => row.id);
  }
}
