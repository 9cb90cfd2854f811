import createKnex from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { toQuestionMarks } from '../../lib/queues/postgres/question-mark-placeholders';

/** Knex for PostgreSQL, never connected: toNative() is the statement and bindings pg would be sent. */
const knex = createKnex({ client: 'pg' });
afterAll(() => knex.destroy());

function throughKnex(text: string, values: unknown[]) {
  const { sql, bindings } = toQuestionMarks(text, values);
  // Knex types its bindings as its own value union; knexTx() hands them over as they are, unknown.
  return knex
    .raw(sql, bindings as string[])
    .toSQL()
    .toNative();
}

describe('toQuestionMarks: a $n statement for knexTx(), as Knex then gives it to pg', () => {
  it('keeps the statement and its values as they were, when each $n is used once and in order', () => {
    const text = 'INSERT INTO t (a, b, c) VALUES ($1, $2::bigint, $3::text[])';
    const values = ['x', 1_700_000_000_000, ['e1', 'e2']];
    expect(throughKnex(text, values)).toEqual({ sql: text, bindings: values });
  });

  it('binds a value again for each use of its placeholder, in the order of the text', () => {
    expect(toQuestionMarks('SELECT $2, $1, $2', ['a', 'b'])).toEqual({
      sql: 'SELECT ?, ?, ?',
      bindings: ['b', 'a', 'b'],
    });
    expect(throughKnex('SELECT $2, $1, $2', ['a', 'b'])).toEqual({
      sql: 'SELECT $1, $2, $3',
      bindings: ['b', 'a', 'b'],
    });
  });

  it('leaves a question mark of the text as it is, wherever it is (JSON operators, literals, comments)', () => {
    const text = `SELECT doc ? 'k', doc ?| array['a?'], $1 -- why?\n/* ?? */`;
    expect(throughKnex(text, ['v'])).toEqual({ sql: text, bindings: ['v'] });
  });

  it('leaves $n inside string literals, quoted identifiers, dollar quotes and comments alone', () => {
    const text = [
      `SELECT '$1', 'it''s $1', E'it\\'s $1', "col$1", $1`,
      `$$ body $1 $$, $fn$ $1 $fn$ -- $1`,
      `/* $1 /* nested $1 */ still $1 */ $2`,
    ].join('\n');
    expect(throughKnex(text, ['one', 'two'])).toEqual({ sql: text, bindings: ['one', 'two'] });
  });

  it('never puts a value in the text: a value with ?, $1 and quotes is only bound', () => {
    const body = `{"q":"why? ?? $1 '\\\\?' \\"x\\""}`;
    expect(toQuestionMarks('SELECT $1', [body])).toEqual({ sql: 'SELECT ?', bindings: [body] });
    expect(throughKnex('SELECT $1', [body])).toEqual({ sql: 'SELECT $1', bindings: [body] });
  });

  it('refuses a placeholder with no value', () => {
    expect(() => toQuestionMarks('SELECT $1, $3', ['a', 'b'])).toThrow(
      'The statement uses $3, and 2 values were given.',
    );
  });
});
