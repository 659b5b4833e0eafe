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
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
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
    } else if (c === '$' && !isIdentChar(sql[i - 1])) {
      const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 200));
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
