import type { SqlQuery } from '../contract/query';
import { ApiError } from '../errors';
import { Params, inlineParams } from '../sql/builder-context';
import { wrapWithAdhocFilters } from '../sql/filters';
import { resultToFields } from '../sql/result-fields';
import { expandMacros } from '../sql/macros';
import { shapeFrame } from '../sql/shape-frames';
import type { WorkFrame } from '../sql/frame-types';
import { checkReadOnlyStatement } from '../sql/statement';
import type { RequestContext } from './query-context';
import type { SqlModeSession } from './sql-mode-session';
import { estimateBytes, tooManyRows, type ResultLimits } from './result-limits';

export interface SqlRunOptions {
  /** Where SQL mode runs: the reader's own login (PostgreSQL) or SET LOCAL ROLE (embedded). */
  sqlMode: SqlModeSession;
  limits: ResultLimits;
  statementTimeoutMs: number;
  /** Set as soon as the SQL is known, so a failing query still reports what it ran. */
  onExecuted: (sql: string) => void;
}

/** Statements that can be wrapped as a subquery (for the row cap and ad hoc filters). */
const WRAPPABLE = new Set(['select', 'with', 'values', 'table', '(']);

/**
 * One SQL-mode query: macros expanded, checked to be a single reading statement, run in a
 * read-only transaction with a statement timeout as the reader (see sql-mode-session.ts), capped, then shaped
 * like Grafana's SQL data sources shape results.
 */
export async function runSqlQuery(q: SqlQuery, ctx: RequestContext, opts: SqlRunOptions): Promise<WorkFrame> {
  const expanded = expandMacros(q.rawSql, ctx);
  opts.onExecuted(expanded.sql);
  const statement = checkReadOnlyStatement(expanded.sql);
  const params = new Params();
  let sql = statement.sql;
  const wrappable = WRAPPABLE.has(statement.firstKeyword);
  if (q.adhocFilters?.length) {
    if (!wrappable) {
      throw ApiError.badRequest('invalid_adhoc_filter', 'Ad hoc filters need a SELECT statement to filter');
    }
    sql = wrapWithAdhocFilters(sql, q.adhocFilters, params);
  }
  // What the user sees as executed: their statement (with ad hoc filters, values shown inline).
  const shown = params.values.length ? inlineParams(sql, params.values) : expanded.sql;
  opts.onExecuted(shown);
  // The cap is a bound LIMIT on the wrapped statement: it also forces the extended protocol,
  // which refuses a second statement at the server as well.
  if (wrappable) {
    sql = `SELECT * FROM (\n${sql}\n) AS "capped" LIMIT ${params.add(opts.limits.maxRows + 1, 'bigint')}`;
  }
  const result = await opts.sqlMode.run((tx) => tx.query<Record<string, unknown>>(sql, params.values), opts.statementTimeoutMs);
  if (result.rows.length > opts.limits.maxRows) {
    throw tooManyRows(opts.limits.maxRows);
  }
  estimateBytes(result.rows, opts.limits.maxBytes);
  return shapeFrame(resultToFields(result), {
    format: q.format ?? 'time_series',
    executedQueryString: shown,
    fill: expanded.fill,
    range: ctx.range,
    rowLimit: opts.limits.maxRows,
  });
}
