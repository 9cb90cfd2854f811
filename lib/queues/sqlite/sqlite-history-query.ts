import type Database from 'better-sqlite3';
import type { CheckedMessageQuery } from '../../delivery/history-query';
import { NOT_DELIVERED } from './sqlite-schema';

/**
 * The SQL of a history query, one statement per shape (which filters are set), prepared once and kept.
 * Filters on the message alone read `hookspec_messages` through its (owner, event, created_at, id)-style
 * indexes; a filter on an endpoint or a state reads `hookspec_deliveries`, which carries a copy of its
 * message's created_at and owner so that one index both filters and orders. Either way the rows come out
 * in index order, newest first, and the walk stops after `limit + 1` (the extra one says there is a next
 * page). The cursor is a row-value bound, `(created_at, id) < (?, ?)`, which the index seeks to.
 */
export class SqliteHistoryQueries {
  private readonly statements = new Map<string, Database.Statement<unknown[], string>>();

  constructor(private readonly db: Database.Database) {}

  /** The ids of the page's messages (up to limit + 1), newest first. */
  messageIds(query: CheckedMessageQuery): string[] {
    const { sql, shape, params } = build(query);
    let statement = this.statements.get(shape);
    if (!statement) {
      statement = this.db.prepare<unknown[], string>(sql).pluck();
      this.statements.set(shape, statement);
    }
    return statement.all(...params);
  }
}

/** The SQL of one query, the key of its shape, and its parameters. Exported for the query-plan spec. */
export function build(query: CheckedMessageQuery): { sql: string; shape: string; params: unknown[] } {
  const delivered = query.status === 'delivered';
  // Delivered deliveries (most of them) are left out of the state indexes: delivered alone, or with an
  // owner, reads the messages and checks for one; with an endpoint, the endpoint's index and its rows.
  const onDeliveries = query.endpointId !== undefined || (query.status !== undefined && !delivered);
  const t = onDeliveries ? 'd' : 'm';
  const id = onDeliveries ? 'd.message_id' : 'm.id';
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    where.push(clause);
    params.push(...values);
  };
  if (query.endpointId !== undefined) add('d.endpoint_id = ?', query.endpointId);
  if (query.status !== undefined && onDeliveries) {
    // The second term is the state indexes' own condition, written out so that SQLite may use them.
    add(delivered ? "d.state = 'delivered'" : `d.state = ? AND ${NOT_DELIVERED}`, ...(delivered ? [] : [query.status]));
  }
  if (query.status !== undefined && !onDeliveries) {
    // The message's deliveries are a range of their primary key (schema version 3).
    add(
      'EXISTS (SELECT 1 FROM hookspec_deliveries d ' +
        "WHERE d.seq BETWEEN m.first_seq AND m.last_seq AND d.state = 'delivered')",
    );
  }
  if (query.owner === null) add(`${t}.owner IS NULL`);
  else if (query.owner !== undefined) add(`${t}.owner = ?`, query.owner);
  if (query.event !== undefined) add('m.event = ?', query.event);
  if (query.since !== undefined) add(`${t}.created_at >= ?`, query.since);
  if (query.until !== undefined) add(`${t}.created_at < ?`, query.until);
  if (query.after !== undefined) add(`(${t}.created_at, ${id}) < (?, ?)`, query.after.createdAt, query.after.id);
  const from = onDeliveries
    ? `hookspec_deliveries d${query.event === undefined ? '' : ' JOIN hookspec_messages m ON m.id = d.message_id'}`
    : 'hookspec_messages m';
  // A message with two deliveries in the state asked for is one row: DISTINCT, in index order.
  const sql =
    `SELECT ${onDeliveries ? `DISTINCT ${id}, d.created_at` : id} FROM ${from}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${t}.created_at DESC, ${id} DESC LIMIT ?`;
  params.push(query.limit + 1);
  return { sql, shape: sql, params };
}
