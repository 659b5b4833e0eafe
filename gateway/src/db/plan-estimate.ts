/**
 * The planner's estimate of a statement (`EXPLAIN (FORMAT JSON)`, which plans but runs nothing)
 * and the limits the cost guard compares it with (query/cost-guard.ts). Here, below the drivers,
 * because the embedded driver applies the limits inside its worker: the estimate and the
 * statement then cost one round trip to the worker instead of two.
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

/** The statement that plans `sql` (same bound parameters). */
export function explainSql(sql: string): string {
  return `EXPLAIN (FORMAT JSON) ${sql}`;
}

/** The estimate from EXPLAIN (FORMAT JSON)'s one value (parsed or still text). */
export function planEstimate(doc: unknown): PlanEstimate {
  const parsed = (typeof doc === 'string' ? JSON.parse(doc) : doc) as Array<{ Plan: PlanNode }>;
  const plan = parsed[0].Plan;
  return { cost: plan['Total Cost'] ?? 0, rowsScanned: rowsScanned(plan) };
}

function rowsScanned(node: PlanNode): number {
  const own =
    node['Relation Name'] !== undefined && /Scan$/.test(node['Node Type'] ?? '') ? (node['Plan Rows'] ?? 0) : 0;
  return own + (node.Plans ?? []).reduce((sum, p) => sum + rowsScanned(p), 0);
}

/** Whether the estimate passes a limit (a limit of 0 is off). */
export function overCostLimits(estimate: PlanEstimate, limits: CostLimits): boolean {
  return (
    (limits.maxCost > 0 && estimate.cost > limits.maxCost) ||
    (limits.maxRowsScanned > 0 && estimate.rowsScanned > limits.maxRowsScanned)
  );
}
