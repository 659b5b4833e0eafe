import { ApiError } from '../errors';
import { parseStatements, type ParseNode } from '../pg/parse-sql';

/**
 * Checks a raw SQL-mode statement on PostgreSQL's own parse tree (parse-sql.ts) before it reaches
 * the database: exactly one statement (a second one could undo the session's protections, e.g.
 * `SET TRANSACTION READ WRITE`), of a reading kind, that creates no table (`SELECT … INTO`),
 * writes no rows (a data-modifying WITH, `EXPLAIN ANALYZE DELETE`) and locks none (`FOR UPDATE`).
 * It also lists every function the statement calls, for the function policy
 * (query/function-policy.ts), which decides from the catalog which of them may run.
 *
 * Words are never matched in text: a column named `update` or `into` is just a column, and a
 * `;` or a function name inside a string, a comment or a dollar quote is not there at all.
 */

/** A function the statement calls, as written (unquoted names already lower-cased by the parser). */
export interface FunctionCall {
  /** The schema when the name is qualified (`pg_catalog.lo_from_bytea`). */
  schema?: string;
  name: string;
  /**
   * Written as a column (`t.fn` / `(t).fn`): PostgreSQL calls `fn(t)` when `t` has no such
   * column, so it may be a function of one argument.
   */
  asColumn?: boolean;
}

export interface CheckedStatement {
  /** The statement's own text, without the `;` and whatever surrounds it. */
  sql: string;
  /** A query (SELECT, WITH, VALUES, TABLE, set operations): it can be wrapped as a subquery. */
  wrappable: boolean;
  functions: FunctionCall[];
}

/** The statements SQL mode runs, by parse node, and how a refusal names them. */
const TOP_LEVEL = new Set(['SelectStmt', 'ExplainStmt', 'VariableShowStmt']);

/** Statements that write rows, wherever they appear (a CTE, EXPLAIN ANALYZE). */
const WRITES: Record<string, string> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};

const LOCK_STRENGTH: Record<string, string> = {
  LCS_FORKEYSHARE: 'FOR KEY SHARE',
  LCS_FORSHARE: 'FOR SHARE',
  LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE',
  LCS_FORUPDATE: 'FOR UPDATE',
};

export function checkReadOnlyStatement(sql: string): CheckedStatement {
  const statements = parseStatements(sql);
  if (statements.length === 0) {
    throw new ApiError('empty_sql', 'rawSql holds no statement');
  }
  if (statements.length > 1) {
    throw new ApiError(
      'multiple_statements',
      `SQL mode runs exactly one statement; this holds ${statements.length}: remove everything after the first ";"`,
      {
        statements: statements.length,
      }
    );
  }
  const [{ stmt, text }] = statements;
  const kind = nodeType(stmt);
  if (!TOP_LEVEL.has(kind)) {
    const name = statementName(kind, text);
    throw new ApiError(
      'statement_not_allowed',
      `SQL mode only runs reading statements (SELECT, WITH, VALUES, TABLE, EXPLAIN, SHOW), not ${name}`,
      {
        statement: name,
      }
    );
  }
  const functions: FunctionCall[] = [];
  walk(stmt, (type, node) => visit(type, node, functions));
  return { sql: text, wrappable: kind === 'SelectStmt', functions };
}

/** Refuses what writes or locks; collects the functions called. */
function visit(type: string, node: Record<string, unknown>, functions: FunctionCall[]): void {
  if (WRITES[type]) {
    // The code PostgreSQL's own refusal of such a statement maps to, whichever layer stops it.
    throw new ApiError('not_supported', `SQL mode only runs reading statements; ${WRITES[type]} writes rows`, {
      keyword: WRITES[type],
    });
  }
  if (type.endsWith('Stmt') && !TOP_LEVEL.has(type)) {
    // e.g. EXPLAIN ANALYZE CREATE TABLE … AS, EXPLAIN EXECUTE.
    throw new ApiError(
      'statement_not_allowed',
      `SQL mode only runs reading statements, not ${statementName(type, '')}`,
      { statement: statementName(type, '') }
    );
  }
  if (type === 'SelectStmt' && node.intoClause) {
    throw new ApiError('not_supported', 'SQL mode only runs reading statements; SELECT … INTO creates a table', {
      keyword: 'INTO',
    });
  }
  if (type === 'LockingClause') {
    const clause = LOCK_STRENGTH[String(node.strength)] ?? 'FOR UPDATE';
    throw new ApiError('not_supported', `SQL mode only runs reading statements; ${clause} locks rows`, {
      keyword: clause,
    });
  }
  if (type === 'FuncCall') {
    functions.push(qualifiedName(names(node.funcname)));
  } else if (type === 'ColumnRef') {
    const fields = names(node.fields);
    if (fields.length >= 2) {
      functions.push({ ...qualifiedName(fields.slice(-1)), asColumn: true });
    }
  } else if (type === 'A_Indirection') {
    for (const field of names(node.indirection)) {
      functions.push({ name: field, asColumn: true });
    }
  }
}

/** Calls `fn(type, fields)` for every node of the tree, depth first. */
function walk(value: unknown, fn: (type: string, node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      walk(item, fn);
    }
    return;
  }
  if (value === null || typeof value !== 'object') {
    return;
  }
  for (const [key, inner] of Object.entries(value)) {
    // A node is `{ Type: { fields } }`; node types start with a capital, fields do not.
    if (/^[A-Z]/.test(key) && inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
      fn(key, inner as Record<string, unknown>);
    }
    walk(inner, fn);
  }
}

function nodeType(node: ParseNode): string {
  return Object.keys(node)[0] ?? '';
}

/** The String nodes of a name list (`[{ String: { sval } }, …]`); `*` and other nodes are skipped. */
function names(list: unknown): string[] {
  if (!Array.isArray(list)) {
    return [];
  }
  return list.flatMap((item) => {
    const sval = (item as { String?: { sval?: unknown } } | null)?.String?.sval;
    return typeof sval === 'string' ? [sval] : [];
  });
}

/** `name`, `schema.name` or `database.schema.name` (the database can only be the current one). */
function qualifiedName(parts: string[]): FunctionCall {
  const name = parts[parts.length - 1] ?? '';
  return parts.length >= 2 ? { schema: parts[parts.length - 2], name } : { name };
}

/** How a refusal names a statement: its node type as SQL words (`CopyStmt` → COPY). */
function statementName(type: string, text: string): string {
  const firstWord = /^[A-Za-z]+/.exec(text.replace(/^(\s|--[^\n\r]*|\/\*[\s\S]*?\*\/)*/, ''))?.[0];
  if (firstWord) {
    return firstWord.toUpperCase();
  }
  return type
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}
