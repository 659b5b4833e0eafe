import { ApiError } from '../errors';

/**
 * Checks a raw SQL-mode statement before it reaches the database. One statement only: a
 * second one could undo the session's protections (`SET TRANSACTION READ WRITE`, `RESET ROLE`).
 * Only reading statements are accepted, and functions that run SQL given as text or change
 * session settings (a way around `SET LOCAL ROLE`) are refused by name.
 *
 * This is defence in depth, not the boundary: a deny-list of names cannot be complete. On
 * PostgreSQL the boundary is the session itself, logged in as a reader with nothing to switch
 * back to (query/sql-mode-session.ts). On the embedded database, one superuser connection,
 * this check is what keeps `SET LOCAL ROLE` in place.
 *
 * The lexer follows PostgreSQL's: -- and nested /* *\/ comments, '…' / E'…' strings, "…"
 * identifiers and $tag$…$tag$ bodies, so a `;` inside any of those does not count.
 */

const READING_STATEMENTS = new Set(['select', 'with', 'values', 'table', 'explain', 'show']);

/** Functions that execute SQL text or change settings such as `role`; refused in SQL mode. */
export const REFUSED_FUNCTIONS = new Set([
  'set_config',
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
  'cursor_to_xml',
  'cursor_to_xmlschema',
  'ts_stat',
  'ts_rewrite',
  'dblink',
  'dblink_exec',
  'dblink_open',
  'dblink_send_query',
  'lo_import',
  'lo_export',
  'pg_read_file',
  'pg_read_binary_file',
  'pg_ls_dir',
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
]);

/**
 * Keywords that make a reading statement write: `SELECT … INTO t` creates a table, and
 * `WITH x AS (INSERT …)`, `EXPLAIN ANALYZE DELETE …` run data-modifying statements.
 * Refused as bare words (a column with such a name can still be written "update").
 */
const WRITING_KEYWORDS = new Set(['into', 'insert', 'update', 'delete', 'merge']);

/** After FOR, the words of a row-locking clause (FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE). */
const LOCKING_AFTER_FOR = new Set(['update', 'no', 'share', 'key']);

export interface CheckedStatement {
  /** The statement without trailing semicolons and whitespace. */
  sql: string;
  /** Lower-cased first keyword (`select`, `with`…), or `(` for a parenthesised query. */
  firstKeyword: string;
}

interface Token {
  kind: 'word' | 'quoted_ident' | 'semicolon' | 'other';
  text: string;
  start: number;
}

/** PostgreSQL's whitespace: only these; every other character from U+0080 up is part of an identifier. */
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}
/** A dollar-quote delimiter, `$$` or `$tag$`, of any length (PostgreSQL sets no limit). */
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z_\u0080-\uffff]/.test(c);
}
function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
}

function unterminated(what: string, at: number): ApiError {
  return ApiError.badRequest('invalid_sql', `Unterminated ${what} starting at offset ${at}`, { position: at });
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (isSpace(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      // A -- comment ends at a line feed OR a carriage return, as in PostgreSQL's lexer.
      while (i < n && sql[i] !== '\n' && sql[i] !== '\r') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const start = i;
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      if (depth > 0) throw unterminated('comment', start);
    } else if (c === "'" || ((c === 'E' || c === 'e') && sql[i + 1] === "'" && !isIdentChar(sql[i - 1]))) {
      const start = i;
      const backslashes = c !== "'";
      i += backslashes ? 2 : 1;
      let closed = false;
      while (i < n) {
        if (backslashes && sql[i] === '\\') {
          i += 2;
          continue;
        }
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") {
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        i++;
      }
      if (!closed) throw unterminated('string', start);
      tokens.push({ kind: 'other', text: sql.slice(start, i), start });
    } else if (c === '"') {
      const start = i;
      let text = '';
      i++;
      let closed = false;
      while (i < n) {
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') {
            text += '"';
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        text += sql[i++];
      }
      if (!closed) throw unterminated('quoted identifier', start);
      tokens.push({ kind: 'quoted_ident', text, start });
    } else if (c === '$') {
      // A `$` inside an identifier was taken by the word; here it follows a number, an
      // operator or a space, where PostgreSQL starts a dollar quote (`1$a$…$a$` included).
      DOLLAR_TAG.lastIndex = i;
      const m = DOLLAR_TAG.exec(sql);
      if (m) {
        const start = i;
        const close = sql.indexOf(m[0], i + m[0].length);
        if (close === -1) throw unterminated('dollar-quoted string', start);
        i = close + m[0].length;
        tokens.push({ kind: 'other', text: sql.slice(start, i), start });
      } else {
        tokens.push({ kind: 'other', text: c, start: i });
        i++;
      }
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < n && isIdentChar(sql[i])) i++;
      tokens.push({ kind: 'word', text: sql.slice(start, i).toLowerCase(), start });
    } else if (c === ';') {
      tokens.push({ kind: 'semicolon', text: c, start: i });
      i++;
    } else {
      tokens.push({ kind: 'other', text: c, start: i });
      i++;
    }
  }
  return tokens;
}

export function checkReadOnlyStatement(sql: string): CheckedStatement {
  const tokens = tokenize(sql);
  let end = tokens.length;
  while (end > 0 && tokens[end - 1].kind === 'semicolon') end--;
  if (end === 0) {
    throw ApiError.badRequest('empty_sql', 'rawSql holds no statement');
  }
  const extra = tokens.slice(0, end).find((t) => t.kind === 'semicolon');
  if (extra) {
    throw ApiError.badRequest('multiple_statements', 'SQL mode runs exactly one statement; remove everything after the first ";"', {
      position: extra.start,
    });
  }
  const first = tokens[0];
  const firstKeyword = first.kind === 'word' ? first.text : first.text === '(' ? '(' : first.text;
  if (firstKeyword !== '(' && !READING_STATEMENTS.has(firstKeyword)) {
    throw ApiError.badRequest(
      'statement_not_allowed',
      `SQL mode only runs reading statements (SELECT, WITH, VALUES, TABLE, EXPLAIN, SHOW), not ${JSON.stringify(firstKeyword.toUpperCase())}`,
      { statement: firstKeyword.toUpperCase() }
    );
  }
  for (const [i, t] of tokens.slice(0, end).entries()) {
    // U&"…" spells a name with escapes (U&"set\005Fconfig"), past any check by name.
    if (t.kind === 'quoted_ident' && i >= 2 && isUnicodePrefix(tokens[i - 2], tokens[i - 1], t)) {
      throw ApiError.badRequest('identifier_not_allowed', 'SQL mode does not accept Unicode-escaped identifiers (U&"…"); write the name itself', {
        position: tokens[i - 2].start,
      });
    }
    if (t.kind !== 'word' && t.kind !== 'quoted_ident') continue;
    const next = tokens[i + 1];
    if (t.kind === 'word' && (WRITING_KEYWORDS.has(t.text) || (t.text === 'for' && i + 1 < end && next.kind === 'word' && LOCKING_AFTER_FOR.has(next.text)))) {
      // The code PostgreSQL's refusal of such a statement maps to, whichever layer stops it.
      throw ApiError.badRequest('not_supported', `SQL mode only runs reading statements; ${t.text.toUpperCase()} writes or locks rows`, {
        keyword: t.text.toUpperCase(),
        position: t.start,
      });
    }
    const name = t.kind === 'word' ? t.text : t.text.toLowerCase();
    if (REFUSED_FUNCTIONS.has(name)) {
      throw ApiError.badRequest('function_not_allowed', `SQL mode does not allow ${t.text}()`, { function: t.text, position: t.start });
    }
  }
  // Cut before the first trailing semicolon; a trailing comment may remain, so wrappers add a newline.
  const cut = end < tokens.length ? tokens[end].start : sql.length;
  return { sql: sql.slice(0, cut).trimEnd(), firstKeyword };
}

/** `U` `&` `"…"` written together: a Unicode-escaped identifier. */
function isUnicodePrefix(u: Token, amp: Token, ident: Token): boolean {
  return u.kind === 'word' && u.text === 'u' && amp.text === '&' && amp.start === u.start + 1 && ident.start === amp.start + 1;
}
