import type { SqlQuery } from '../contract/query';
import { DEFAULT_FORMAT } from '../contract/vocabulary';
import { Params, inlineParams } from '../sql/builder-context';
import { resultToFields } from '../frames/result-fields';
import { expandMacros } from '../sql/macros';
import { shapeFrame } from '../frames/shape-frames';
import type { WorkFrame } from '../frames/frame-types';
import { checkStatement } from '../sql/statement-check-thread';
import type { RequestContext } from './query-context';
import type { SqlModeSession } from './sql-mode-session';
import { estimateBytes, tooManyBytes, tooManyRows, type ResultLimits } from './result-limits';
import { isFixedWidthOid, isResultBytesStop, resultBytesCappedSql } from './result-bytes-sql';
import type { DbResult, DbSession } from '../db/types';
import { checkQueryCost, costGuardEnabled, type CostLimits } from './cost-guard';

export interface SqlRunOptions {
  /** Where SQL mode runs: the reader's own login (PostgreSQL) or SET LOCAL ROLE (embedded). */
  sqlMode: SqlModeSession;
  limits: ResultLimits;
  statementTimeoutMs: number;
  /** Set as soon as the SQL is known, so a failing query still reports what it ran. */
  onExecuted: (sql: string) => void;
  /** Aborted when the answer is no longer wanted: the statement is cancelled. */
  signal?: AbortSignal;
  /** The cost guard's limits (off when absent or both 0). */
  costLimits?: CostLimits;
}

/**
 * One SQL-mode query: macros expanded, checked on PostgreSQL's parse tree to be a single reading
 * statement (sql/read-only-statement.ts) that calls no function the catalog marks as changing
 * anything (function-policy.ts) — both on the expanded text, the statement that runs — run in a
 * read-only transaction with a statement timeout as the reader (see sql-mode-session.ts),
 * capped in rows and bytes inside the database (see result-bytes-sql.ts), then shaped like
 * Grafana's SQL data sources shape results.
 */
export async function runSqlQuery(q: SqlQuery, ctx: RequestContext, opts: SqlRunOptions): Promise<WorkFrame> {
  // The row cap reaches the macros from the limits, like the builder's: $__timeBucketGapfill
  // may not cut the range into more buckets than one result may hold.
  // Ad hoc filters apply only where the SQL says `$__adHocFilters`; their values are bound.
  const params = new Params();
  const expanded = expandMacros(q.rawSql, {
    ...ctx,
    maxRows: opts.limits.maxRows,
    adhoc: { filters: q.adhocFilters, params },
  });
  opts.onExecuted(expanded.sql);
  const statement = await checkStatement(expanded.sql);
  const sql = statement.sql;
  const wrappable = statement.wrappable;
  // What the user sees as executed: their statement (ad hoc filter values shown inline).
  const shown = params.values.length ? inlineParams(sql, params.values) : expanded.sql;
  opts.onExecuted(shown);
  let ran: SqlResult;
  try {
    ran = await opts.sqlMode.run(
      async (tx) => {
        // In the reader's session: its search path decides which function a bare name is.
        await opts.sqlMode.checkFunctions(statement.functions, tx);
        // Only a plain reading statement can be planned on its own (not an EXPLAIN, SHOW …).
        if (wrappable && costGuardEnabled(opts.costLimits) && !q.allowExpensive) {
          await checkQueryCost(tx, sql, params.values, opts.costLimits, q.refId);
        }
        return wrappable
          ? runCapped(tx, sql, params, opts.limits)
          : { result: await tx.query<Record<string, unknown>>(sql, params.values) };
      },
      opts.statementTimeoutMs,
      opts.signal
    );
  } catch (err) {
    if (isResultBytesStop(err)) {
      throw tooManyBytes(opts.limits.maxBytes);
    }
    throw err;
  }
  const { result, rename } = ran;
  if (result.rows.length > opts.limits.maxRows) {
    throw tooManyRows(opts.limits.maxRows);
  }
  estimateBytes(result.rows, opts.limits.maxBytes);
  return shapeFrame(resultToFields(result, rename), {
    format: q.format ?? DEFAULT_FORMAT.sql,
    executedQueryString: shown,
    fill: expanded.fill,
    range: ctx.range,
    rowLimit: opts.limits.maxRows,
  });
}

/**
 * A wrappable statement, capped in the database: first its columns are read (`LIMIT 0` runs
 * nothing but the plan's start, and the locks it takes keep the shape until the transaction
 * ends), then it runs wrapped with a bound LIMIT (the row cap; a bound LIMIT also forces the
 * extended protocol, which refuses a second statement at the server as well) and the running
 * byte total that stops it at the byte cap. Result columns come back as "c1", "c2"…, given
 * their own names again through `rename`, so duplicate names keep their own values.
 */
async function runCapped(tx: DbSession, sql: string, params: Params, limits: ResultLimits): Promise<SqlResult> {
  const described = await tx.query(`SELECT * FROM (\n${sql}\n) AS "described" LIMIT 0`, params.values);
  const capped = new Params();
  capped.values.push(...params.values);
  if (described.fields.length === 0) {
    // `SELECT FROM t`: rows without columns carry nothing to count but themselves.
    return {
      result: await tx.query(
        `SELECT * FROM (\n${sql}\n) AS "capped" LIMIT ${capped.add(limits.maxRows + 1, 'bigint')}`,
        capped.values
      ),
    };
  }
  const columns = described.fields.map((f, i) => ({
    name: positionalName(i),
    fixedWidth: isFixedWidthOid(f.dataTypeID),
  }));
  const wrapped = resultBytesCappedSql(sql, columns, limits.maxBytes, capped, {
    positional: true,
    maxRows: limits.maxRows,
  });
  const result = await tx.query<Record<string, unknown>>(wrapped, capped.values);
  return {
    result,
    rename: new Map(described.fields.map((f, i) => [positionalName(i), f.name])),
  };
}

/** A result, and the display name of each column where it differs from the result's. */
interface SqlResult {
  result: DbResult<Record<string, unknown>>;
  rename?: ReadonlyMap<string, string>;
}

function positionalName(i: number): string {
  return `c${i + 1}`;
}
