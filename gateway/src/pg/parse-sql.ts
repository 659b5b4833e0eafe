import { loadModule, parseSync } from 'libpg-query';
import { ApiError } from '../errors';

/**
 * PostgreSQL's own parser (libpg_query, the server's grammar built to WebAssembly, PostgreSQL 17),
 * so what SQL mode checks is the statement the server will run: no hand-written lexer that
 * could read a comment, a dollar quote, an E'' string or a U&"" name differently.
 *
 * Costs measured on this 2-core machine while it ran several other test suites (load average
 * 20–30), so an idle machine does better:
 * - init: the WASM module compiles once per process when this file is first imported, in the
 *   background, 0.2–0.5 s; the first statement awaits it (`loadSqlParser`).
 * - parse + check (read-only-statement.ts): a typical dashboard statement (200 characters)
 *   ~1.1 ms. Cost grows with the number of nodes, not characters: a 24,000-character string
 *   literal 0.3 ms; the worst case within MAX_SQL_CHARACTERS, a statement made only of tiny
 *   expressions (`SELECT 1,1,1,…`, 42,000 characters), ~350 ms.
 * Long statements are parsed on a worker thread (statement-check-thread.ts), so the event loop is
 * never held long; MAX_SQL_CHARACTERS bounds what one statement can cost that thread.
 */
export const MAX_SQL_CHARACTERS = 65_536;

/** The parse tree as libpg_query prints it: one `{ NodeType: fields }` object per node. */
export type ParseNode = Record<string, unknown>;

export interface ParsedStatement {
  /** `{ SelectStmt: {...} }`, `{ ExplainStmt: {...} }`, … */
  stmt: ParseNode;
  /** The statement's own text (no `;`, nothing of other statements), leading comments included. */
  text: string;
}

/** Resolves once the parser is ready; cheap after the first time. */
export function loadSqlParser(): Promise<void> {
  return loadModule();
}

/** Parses `sql` into its statements. Throws a 400 for a syntax error, naming where it is. */
export function parseStatements(sql: string): ParsedStatement[] {
  if (sql.length > MAX_SQL_CHARACTERS) {
    throw new ApiError(
      'sql_too_long',
      `SQL mode takes statements of up to ${MAX_SQL_CHARACTERS} characters; this one has ${sql.length}`,
      {
        limit: MAX_SQL_CHARACTERS,
      }
    );
  }
  if (sql.trim() === '') {
    return [];
  }
  let tree: { stmts?: Array<{ stmt: ParseNode; stmt_location?: number; stmt_len?: number }> };
  try {
    tree = parseSync(sql);
  } catch (err) {
    const e = err as { message?: string; sqlDetails?: { cursorPosition?: number } };
    const position = e.sqlDetails?.cursorPosition;
    throw new ApiError(
      'invalid_sql',
      `The statement does not parse: ${e.message ?? String(err)}${position !== undefined ? ` (at offset ${position})` : ''}`,
      {
        position,
      }
    );
  }
  // Locations are byte offsets into the UTF-8 text, not string indexes.
  const bytes = Buffer.from(sql, 'utf8');
  return (tree.stmts ?? []).map(({ stmt, stmt_location = 0, stmt_len }) => ({
    stmt,
    text: bytes.toString('utf8', stmt_location, stmt_len ? stmt_location + stmt_len : bytes.length).trim(),
  }));
}
