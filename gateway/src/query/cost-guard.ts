import { ApiError } from '../errors';
import type { DbSession } from '../db/types';

/**
 * The cost guard: before a builder or SQL-mode statement runs, the planner's own estimate
 * (`EXPLAIN (FORMAT JSON)`, which plans but runs nothing) is compared with QUERY_MAX_COST
 * (the plan's total cost, in the planner's units) and QUERY_MAX_ROWS_SCANNED (the rows its
 * scans expect to read). Above either, the query is refused with a 422 that says which estimate
 * and what to change, unless it opts in (`allowExpensive: true`). Both limits are off (0) by
 * default: planner costs depend on the server's cost settings and statistics, so a default
 * limit would refuse dashboards that work today; an operator sets them after looking at the
 * estimates of their own panels. The estimate is one more planning round trip (measured in
 * bench/cagg.bench.ts).
 */

export interface CostLimits {
  /** Planner total cost above which a query is refused; 0 = no limit. */
  maxCost: number;
  /** Rows the plan's scans are estimated to read above which a query is refused; 0 = no limit. */
  maxRowsScanned: number;
}

export interface PlanEstimate {
  cost: number;
  rowsScanned: number;
}

interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  'Total Cost'?: number;
  'Plan Rows'?: number;
  Plans?: PlanNode[];
}

export function costGuardEnabled(limits: CostLimits | undefined): limits is CostLimits {
  return limits !== undefined && (limits.maxCost > 0 || limits.maxRowsScanned > 0);
}

/** The planner's estimate of `sql`, planned in `tx` with its bound parameters. */
export async function estimatePlan(tx: DbSession, sql: string, params: readonly unknown[]): Promise<PlanEstimate> {
  const res = await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  const doc = res.rows[0]?.['QUERY PLAN'];
  const parsed = (typeof doc === 'string' ? JSON.parse(doc) : doc) as Array<{ Plan: PlanNode }>;
  const plan = parsed[0].Plan;
  return { cost: plan['Total Cost'] ?? 0, rowsScanned: rowsScanned(plan) };
}

function rowsScanned(node: PlanNode): number {
  const own =
    node['Relation Name'] !== undefined && /Scan$/.test(node['Node Type'] ?? '') ? (node['Plan Rows'] ?? 0) : 0;
  return own + (node.Plans ?? []).reduce((sum, p) => sum + rowsScanned(p), 0);
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
  const over: string[] = [];
  if (limits.maxCost > 0 && estimate.cost > limits.maxCost) {
    over.push(`cost ${round(estimate.cost)} (QUERY_MAX_COST ${limits.maxCost})`);
  }
  if (limits.maxRowsScanned > 0 && estimate.rowsScanned > limits.maxRowsScanned) {
    over.push(`${round(estimate.rowsScanned)} rows read (QUERY_MAX_ROWS_SCANNED ${limits.maxRowsScanned})`);
  }
  if (over.length === 0) {
    return;
  }
  throw new ApiError(
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
