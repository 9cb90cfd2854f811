import type { EndpointStats, MessageQuery, MessageView, Page, PruneOptions } from '../../delivery';
import {
  checkMessageQuery,
  checkPruneOptions,
  encodeCursor,
  type CheckedMessageQuery,
} from '../../delivery/history-query';
import {
  DELIVERY_COLUMNS,
  MESSAGE_COLUMNS,
  messageViews,
  type MessageDeliveryRow,
  type RunQuery,
} from './postgres-rows';

interface StatsRow {
  readonly pending: number;
  readonly failing: number;
  readonly delivered: number;
  readonly exhausted: number;
  readonly disabled: number;
  readonly last_success: number | null;
  readonly last_failure: number | null;
}

/** Which deliveries `restart` makes pending again, besides their status. */
interface RestartScope {
  readonly endpointId?: string | undefined;
  readonly since?: number;
  readonly until?: number | undefined;
}

/**
 * The message history of a PostgresQueue, and the statements that restart deliveries. Every listing
 * walks one index in its order (newest first) and stops after a page: see `buildPageQuery`.
 */
export class PostgresHistory {
  constructor(
    /** The schema, quoted. */
    private readonly S: string,
    private readonly query: RunQuery,
    private readonly channel: string,
    private readonly notifier: string,
  ) {}

  /** The messages with their deliveries and attempt logs, newest first, read in one statement (one snapshot). */
  views(what: string, messageIds: readonly string[]): Promise<MessageDeliveryRow[]> {
    const S = this.S;
    return this.query<MessageDeliveryRow>(
      what,
      `SELECT ${MESSAGE_COLUMNS}, ${DELIVERY_COLUMNS(S)}
       FROM ${S}.messages m LEFT JOIN ${S}.deliveries d ON d.message_id = m.id
       WHERE m.id = ANY($1::text[])
       ORDER BY m.created_at DESC, m.id DESC, d.seq`,
      [messageIds],
    );
  }

  async queryMessages(query: MessageQuery): Promise<Page<MessageView>> {
    const checked = checkMessageQuery(query, 'PostgresQueue.queryMessages()');
    const { sql, params } = buildPageQuery(this.S, checked);
    const ids = (await this.query<{ id: string }>('queryMessages()', sql, params)).map((row) => row.id);
    const more = ids.length > checked.limit;
    const items = messageViews(await this.views('queryMessages()', ids.slice(0, checked.limit)));
    const last = items.at(-1);
    return more && last ? { items, nextCursor: encodeCursor(checked, last.message) } : { items };
  }

  async endpointStats(endpointId: string, window: { since: number; until: number }): Promise<EndpointStats> {
    const S = this.S;
    const [row] = await this.query<StatsRow>(
      'endpointStats()',
      `WITH window_deliveries AS (
         SELECT seq, state FROM ${S}.deliveries
         WHERE endpoint_id = $1 AND created_at >= $2 AND created_at < $3
       )
       SELECT
         count(*) FILTER (WHERE state = 'pending') AS pending,
         count(*) FILTER (WHERE state = 'failing') AS failing,
         count(*) FILTER (WHERE state = 'delivered') AS delivered,
         count(*) FILTER (WHERE state = 'exhausted') AS exhausted,
         count(*) FILTER (WHERE state = 'disabled') AS disabled,
         (SELECT max(a.started_at) FROM ${S}.attempts a JOIN window_deliveries w ON a.delivery_seq = w.seq
          WHERE a.succeeded) AS last_success,
         (SELECT max(a.started_at) FROM ${S}.attempts a JOIN window_deliveries w ON a.delivery_seq = w.seq
          WHERE NOT a.succeeded) AS last_failure
       FROM window_deliveries`,
      [endpointId, window.since, window.until],
    );
    const stats = row as StatsRow;
    return {
      endpointId,
      since: window.since,
      until: window.until,
      pending: stats.pending,
      failing: stats.failing,
      delivered: stats.delivered,
      exhausted: stats.exhausted,
      disabled: stats.disabled,
      ...(stats.last_success === null ? {} : { lastSuccessAt: stats.last_success }),
      ...(stats.last_failure === null ? {} : { lastFailureAt: stats.last_failure }),
    };
  }

  recover(endpointId: string, options: { now: number; since: number; until?: number }): Promise<number> {
    return this.restart('recover()', 'd.endpoint_id = $2', [endpointId], options.now, ['exhausted', 'disabled'], {
      since: options.since,
      until: options.until,
    });
  }

  /**
   * Makes the deliveries that match `condition` (on `d`, with `values` from `$2`) and have one of
   * `statuses` pending again, due at `now`, with a fresh retry schedule; their messages are unfinished.
   * Announces the work to other processes' watches. Returns how many were reset.
   */
  async restart(
    what: string,
    condition: string,
    values: readonly unknown[],
    now: number,
    statuses: readonly string[],
    scope: RestartScope,
  ): Promise<number> {
    const S = this.S;
    const where = [condition, `d.status = ANY($${values.length + 2}::text[])`];
    const params: unknown[] = [now, ...values, statuses];
    const add = (clause: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(clause(params.length));
    };
    if (scope.endpointId !== undefined) add((n) => `d.endpoint_id = $${n}`, scope.endpointId);
    if (scope.since !== undefined) add((n) => `d.created_at >= $${n}`, scope.since);
    if (scope.until !== undefined) add((n) => `d.created_at < $${n}`, scope.until);
    const [row] = await this.query<{ n: number }>(
      what,
      `WITH reset AS (
         UPDATE ${S}.deliveries d SET status = 'pending', schedule_base = attempt_count, next_attempt_at = $1
         WHERE ${where.join(' AND ')}
         RETURNING d.message_id
       ), counted AS (
         SELECT message_id, count(*)::integer AS n FROM reset GROUP BY message_id
       ), reopened AS (
         UPDATE ${S}.messages m SET pending_count = m.pending_count + c.n, finished_order = NULL
         FROM counted c WHERE m.id = c.message_id RETURNING c.n
       )
       SELECT COALESCE(sum(n), 0)::integer AS n FROM reopened`,
      params,
    );
    const count = row?.n ?? 0;
    if (count > 0) await this.query(what, 'SELECT pg_notify($1, $2)', [this.channel, this.notifier]);
    return count;
  }

  /**
   * Empties the body, stamps erasedAt (the first time) and cancels the pending deliveries, leased ones
   * included: their holder's settle still records its attempt. Returns the message's finished number,
   * or undefined when the message is unknown.
   */
  async erasePayload(messageId: string, now: number): Promise<number | undefined> {
    const S = this.S;
    const [row] = await this.query<{ finished_order: number }>(
      'erasePayload()',
      `WITH cancelled AS (
         UPDATE ${S}.deliveries SET status = 'cancelled', next_attempt_at = NULL, leased_until = NULL
         WHERE message_id = $1 AND status = 'pending'
       )
       UPDATE ${S}.messages SET body = '', erased_at = COALESCE(erased_at, $2), pending_count = 0,
         finished_order = COALESCE(finished_order, nextval('${S}.finished_order'))
       WHERE id = $1 RETURNING finished_order`,
      [messageId, now],
    );
    return row?.finished_order;
  }

  async prune(options: PruneOptions): Promise<number> {
    const { olderThan, keepMessages } = checkPruneOptions(options, 'PostgresQueue.prune()');
    const S = this.S;
    const victims: string[] = [];
    const params: unknown[] = [];
    if (olderThan !== undefined) {
      params.push(olderThan);
      victims.push(`SELECT id FROM ${S}.messages WHERE finished_order IS NOT NULL AND created_at < $${params.length}`);
    }
    if (keepMessages !== undefined) {
      params.push(keepMessages);
      victims.push(
        `SELECT id FROM (SELECT id FROM ${S}.messages WHERE finished_order IS NOT NULL
                         ORDER BY created_at DESC, id DESC OFFSET $${params.length}) AS beyond`,
      );
    }
    if (victims.length === 0) return 0;
    // Rechecked when deleted: a message redelivered meanwhile is unfinished again and stays.
    const [row] = await this.query<{ n: number }>(
      'prune()',
      `WITH deleted AS (
         DELETE FROM ${S}.messages WHERE id IN (${victims.join(' UNION ')}) AND finished_order IS NOT NULL
         RETURNING 1
       )
       SELECT count(*) AS n FROM deleted`,
      params,
    );
    return row?.n ?? 0;
  }
}

/**
 * The ids of a page's messages (up to limit + 1: the extra one says there is a next page), newest
 * first. Filters on the message alone read `messages` through its (owner | event, created_at, id)
 * indexes; a filter on an endpoint or a state reads `deliveries`, which carries copies of its message's
 * owner, event and created_at so that one index both filters and orders. The cursor is a row-value
 * bound, `(created_at, id) < ($n, $m)`, which the index seeks to. Exported for the query-plan spec.
 */
export function buildPageQuery(S: string, query: CheckedMessageQuery): { sql: string; params: unknown[] } {
  const onDeliveries = query.endpointId !== undefined || query.status !== undefined;
  const t = onDeliveries ? 'd' : 'm';
  const id = onDeliveries ? 'd.message_id' : 'm.id';
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (n: number) => string, value?: unknown) => {
    if (value !== undefined) params.push(value);
    where.push(clause(params.length));
  };
  if (query.endpointId !== undefined) add((n) => `d.endpoint_id = $${n}`, query.endpointId);
  if (query.status !== undefined) add((n) => `d.state = $${n}`, query.status);
  if (query.owner === null) add(() => `${t}.owner IS NULL`);
  else if (query.owner !== undefined) add((n) => `${t}.owner = $${n}`, query.owner);
  if (query.event !== undefined) add((n) => `${t}.event = $${n}`, query.event);
  if (query.since !== undefined) add((n) => `${t}.created_at >= $${n}`, query.since);
  if (query.until !== undefined) add((n) => `${t}.created_at < $${n}`, query.until);
  if (query.after !== undefined) {
    params.push(query.after.createdAt, query.after.id);
    where.push(`(${t}.created_at, ${id}) < ($${params.length - 1}, $${params.length})`);
  }
  params.push(query.limit + 1);
  // A message with two deliveries in the state asked for is one row: DISTINCT, in index order.
  const sql =
    `SELECT ${onDeliveries ? `DISTINCT ${id} AS id, d.created_at` : 'm.id'} ` +
    `FROM ${onDeliveries ? `${S}.deliveries d` : `${S}.messages m`}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${t}.created_at DESC, ${id} DESC LIMIT $${params.length}`;
  return { sql, params };
}
