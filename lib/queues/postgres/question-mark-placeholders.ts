/** A statement in the placeholder style of Knex: `?` for each value, in order; `\?` for a literal `?`. */
export interface QuestionMarkStatement {
  readonly sql: string;
  readonly bindings: unknown[];
}

const IDENTIFIER_CHAR = /[A-Za-z0-9_$]/;
const DOLLAR_QUOTE = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;
const PARAMETER = /^\$(\d+)/;

/**
 * Rewrites a PostgreSQL statement with `$1…` placeholders for Knex, which binds `?` in order (and reads
 * `??` as an identifier): each `$n` outside string literals, quoted identifiers and comments becomes `?`
 * with the n-th value appended to the bindings (a placeholder used twice binds its value twice), and every
 * `?` of the text, wherever it is, is escaped as `\?`, which Knex turns back into `?`. The values are
 * bindings, never spliced into the text: a `?` in a payload stays what it is.
 */
export function toQuestionMarks(text: string, values: readonly unknown[]): QuestionMarkStatement {
  let sql = '';
  const bindings: unknown[] = [];
  let at = 0;
  /** Copies the text up to `end`, escaping its question marks. */
  const copy = (end: number) => {
    const part = text.slice(at, end);
    if (/\\\?/.test(part)) {
      // Knex cannot keep a backslash before a question mark; hookspec's statements never have one.
      throw new Error('A statement with a backslash before "?" cannot be given to Knex.');
    }
    sql += part.replaceAll('?', '\\?');
    at = end;
  };
  /** Index just past the end of what starts at `start` and ends with `close` (or the end of the text). */
  const through = (start: number, close: string) => {
    const end = text.indexOf(close, start);
    return end === -1 ? text.length : end + close.length;
  };
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    const rest = text.slice(i);
    if (char === "'" || char === '"') {
      // A doubled quote inside is the quote itself: the literal goes on past it.
      const escapes = char === "'" && /[Ee]/.test(text[i - 1] ?? '') && !IDENTIFIER_CHAR.test(text[i - 2] ?? '');
      let j = i + 1;
      while (j < text.length) {
        if (escapes && text[j] === '\\') j += 2;
        else if (text[j] === char && text[j + 1] === char) j += 2;
        else if (text[j] === char) break;
        else j += 1;
      }
      i = j + 1;
    } else if (rest.startsWith('--')) {
      i = through(i, '\n');
    } else if (rest.startsWith('/*')) {
      let depth = 0;
      let j = i;
      do {
        if (text.startsWith('/*', j)) {
          depth += 1;
          j += 2;
        } else if (text.startsWith('*/', j)) {
          depth -= 1;
          j += 2;
        } else {
          j += 1;
        }
      } while (depth > 0 && j < text.length);
      i = j;
    } else if (char === '$' && !IDENTIFIER_CHAR.test(text[i - 1] ?? '')) {
      const parameter = PARAMETER.exec(rest);
      const quote = DOLLAR_QUOTE.exec(rest);
      if (parameter) {
        const n = Number(parameter[1]);
        if (n < 1 || n > values.length) {
          throw new Error(`The statement uses $${n}, and ${values.length} values were given.`);
        }
        copy(i);
        sql += '?';
        bindings.push(values[n - 1]);
        i += parameter[0].length;
        at = i;
      } else if (quote) {
        i = through(i + quote[0].length, quote[0]);
      } else {
        i += 1;
      }
    } else {
      i += 1;
    }
  }
  copy(text.length);
  return { sql, bindings };
}
