import type { BuilderQuery } from '../contract/query';
import type { Db } from '../db/types';
import type { ResolvedTable } from '../catalog/catalog';
import { buildBuilderQuery } from '../sql/builder';
import { inlineParams } from '../sql/builder-context';
import { addNotice, type WorkFrame } from '../sql/frame-types';
import { resultToFields } from '../sql/result-fields';
import { shapeFrame } from '../sql/shape-frames';
import type { RequestContext } from './query-context';
import { estimateBytes, tooManyRows, type ResultLimits } from './result-limits';

export interface BuilderRunOptions {
  db: Db;
  table: ResolvedTable;
  limits: ResultLimits;
  statementTimeoutMs: number;
  onExecuted: (sql: string) => void;
}

/** One builder query: SQL built from catalog identifiers and bound values, run read-only, shaped into frames. */
export async function runBuilderQuery(q: BuilderQuery, ctx: RequestContext, opts: BuilderRunOptions): Promise<WorkFrame> {
  const built = buildBuilderQuery(q, {
    ...ctx,
    table: { name: opts.table.name, sql: opts.table.ident, columns: opts.table.columns, timeColumn: opts.table.timeColumn },
    maxRows: opts.limits.maxRows,
  });
  const shown = inlineParams(built.sql, built.params);
  opts.onExecuted(shown);
  const result = await opts.db.transaction((tx) => tx.query<Record<string, unknown>>(built.sql, built.params), {
    readOnly: true,
    statementTimeoutMs: opts.statementTimeoutMs,
  });
  const rows = result.rows;
  let fields = result.fields;
  let truncated = false;
  // The statement fetched at most one row more than the cap: that row only says "too large".
  if (rows.length > built.rowCap) throw tooManyRows(built.rowCap);
  estimateBytes(rows, opts.limits.maxBytes);
  if (built.rawPointCap !== undefined) {
    // Each row carries its series' full size; a larger one than the cap means the series was cut.
    const cap = built.rawPointCap;
    truncated = rows.some((r) => Number(r.__n) > cap);
    fields = fields.filter((f) => f.name !== '__n');
  }
  const frame = shapeFrame(resultToFields({ rows, fields }, built.rename), {
    format: built.format,
    executedQueryString: shown,
    range: ctx.range,
    rowLimit: opts.limits.maxRows,
    metricColumnNaming: false,
  });
  for (const notice of built.notices) addNotice(frame, notice);
  if (truncated) {
    addNotice(frame, { severity: 'warning', text: `Showing the latest ${built.rawPointCap} points per series (maxDataPoints, at most the row limit); narrow the range or aggregate to see all` });
  }
  if (built.bucket && frame.fields.length) frame.meta.custom = { bucket: built.bucket };
  return frame;
}
