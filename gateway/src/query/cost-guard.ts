import { ApiError } from '../errors';
import type { DbResult, DbSession, RowsOptions } from '../db/types';
import { explainSql, overCostLimits, planEstimate, type CostLimits, type PlanEstimate } from '../db/plan-estimate';

/**
 * The cost guard: before a builder or SQL-mode statement runs, the planner's own estimate
 * (`EXPLAIN (FORMAT JSON)`, which plans but runs nothing) is compared with QUERY_MAX_COST
 * (the plan's total cost, in the planner's units) and QUERY_MAX_ROWS_SCANNED (the rows its
 * scans expect to read). Above either, the query is refused with a 422 that says which estimate
 * and what to change, unless it opts in (`allowExpensive: true`). Both limits are off (0) by
 * default: planner costs depend on the server's cost settings and statistics, so a default
 * limit would refuse dashboards that work today; an operator sets them after looking at the
 * estimates of their own panels. The estimate is one more planning of the statement (measured in
 * bench/cagg.bench.ts); on the embedded database it shares the statement's round trip to the worker.
 */

export type { CostLimits, PlanEstimate };

export function costGuardEnabled(limits: CostLimits | undefined): limits is CostLimits {
  return limits !== undefined && (limits.maxCost > 0 || limits.maxRowsScanned > 0);
}

/** The planner's estimate of `sql`, planned in `tx` with its bound parameters. */
export async function estimatePlan(tx: DbSession, sql: string, params: readonly unknown[]): Promise<PlanEstimate> {
  const res = await tx.query<{ 'QUERY PLAN': unknown }>(explainSql(sql), params);
  return planEstimate(res.rows[0]?.['QUERY PLAN']);
}

/**
 * Runs `sql` in `tx` unless the estimate of `guarded` (the statement as the user's query built
 * it) passes a limit: then the 422. In one round trip where the session offers it (the embedded
 * worker plans, compares and runs); else EXPLAIN, then the statement.
 */
export async function queryWithinCost(
  tx: DbSession,
  guarded: { sql: string; params: readonly unknown[] },
  limits: CostLimits,
  refId: string,
  sql: string,
  params: readonly unknown[],
  options: RowsOptions = {}
): Promise<DbResult<Record<string, unknown>>> {
  if (!tx.queryWithinCost) {
    await checkQueryCost(tx, guarded.sql, guarded.params, limits, refId);
    return options.many && tx.queryMany ? tx.queryMany(sql, params) : tx.query(sql, params);
  }
  const checked = await tx.queryWithinCost<Record<string, unknown>>({ ...guarded, limits }, sql, params, options);
  if ('refused' in checked) {
    throw tooExpensive(checked.refused, limits, refId);
  }
  return checked.result;
}

/** Throws the 422 when the estimate passes a limit. */
export async function checkQueryCost(
  tx: DbSession,
  sql: string,
  params: readonly unknown[],
  limits: CostLimits,
  refId: string
): Promise<void> {
  const estimate = await estimatePlan(tx, sql, params);
  if (overCostLimits(estimate, limits)) {
    throw tooExpensive(estimate, limits, refId);
  }
}

/** The 422 for an estimate past a limit: which estimate, which limit, and what to change. */
function tooExpensive(estimate: PlanEstimate, limits: CostLimits, refId: string): ApiError {
  const over: string[] = [];
  if (limits.maxCost > 0 && estimate.cost > limits.maxCost) {
    over.push(`cost ${round(estimate.cost)} (QUERY_MAX_COST ${limits.maxCost})`);
  }
  if (limits.maxRowsScanned > 0 && estimate.rowsScanned > limits.maxRowsScanned) {
    over.push(`${round(estimate.rowsScanned)} rows read (QUERY_MAX_ROWS_SCANNED ${limits.maxRowsScanned})`);
  }
  return new ApiError(
    'query_too_expensive',
    `Query ${refId}: the planner estimates ${over.join(' and ')}. Narrow the time range, use a wider bucket or an aggregation instead of raw rows, ` +
      `read a continuous aggregate, or set "allowExpensive": true on the query to run it anyway`,
    {
      refId,
      estimatedCost: estimate.cost,
      estimatedRowsScanned: estimate.rowsScanned,
      maxCost: limits.maxCost,
      maxRowsScanned: limits.maxRowsScanned,
    }
  );
}

function round(x: number): string {
  return x >= 1e6 ? x.toExponential(2) : String(Math.round(x));
}
