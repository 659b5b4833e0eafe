import type { BuilderQuery } from '../contract/query';
import type { Db } from '../db/types';
import type { ResolvedTable } from '../catalog/catalog';
import { buildBuilderQuery } from '../sql/builder';
import { type BuilderContext, Params, inlineParams } from '../sql/builder-context';
import { addNotice, type WorkFrame } from '../sql/frame-types';
import { resultToFields } from '../sql/result-fields';
import { shapeFrame } from '../sql/shape-frames';
import type { RequestContext } from './query-context';
import { estimateBytes, tooManyBytes, tooManyRows, type ResultLimits } from './result-limits';
import { isResultBytesStop, RESULT_BYTES_COLUMN, resultBytesCappedSql } from './result-bytes-sql';
import { builderResultColumns, needsResultBytesCap } from './builder-result-bytes';

export interface BuilderRunOptions {
  db: Db;
  table: ResolvedTable;
  limits: ResultLimits;
  statementTimeoutMs: number;
  onExecuted: (sql: string) => void;
  /** Aborted when the answer is no longer wanted: the statement is cancelled. */
  signal?: AbortSignal;
}

/** What the builder knows of one request and its table; the same for running and for rendering. */
export function builderContext(ctx: RequestContext, table: ResolvedTable, limits: ResultLimits): BuilderContext {
  return {
    ...ctx,
    table: { name: table.name, sql: table.ident, columns: table.columns, timeColumn: table.timeColumn },
    maxRows: limits.maxRows,
  };
}

/** One builder query: SQL built from catalog identifiers and bound values, run read-only, shaped into frames. */
export async function runBuilderQuery(q: BuilderQuery, ctx: RequestContext, opts: BuilderRunOptions): Promise<WorkFrame> {
  const built = buildBuilderQuery(q, builderContext(ctx, opts.table, opts.limits));
  const shown = inlineParams(built.sql, built.params);
  opts.onExecuted(shown);
  // Wide values (text labels, raw text) are held to the byte cap inside the database.
  const sized = builderResultColumns(q, opts.table.columns, built);
  const params = new Params();
  params.values.push(...built.params);
  const sql = needsResultBytesCap(sized, built.rowCap, opts.limits.maxBytes) ? resultBytesCappedSql(built.sql, sized, opts.limits.maxBytes, params) : built.sql;
  const result = await opts.db
    .transaction((tx) => tx.query<Record<string, unknown>>(sql, params.values), {
      readOnly: true,
      statementTimeoutMs: opts.statementTimeoutMs,
      signal: opts.signal,
    })
    .catch((err: unknown) => {
      throw isResultBytesStop(err) ? tooManyBytes(opts.limits.maxBytes) : err;
    });
  const rows = result.rows;
  let fields = result.fields.filter((f) => f.name !== RESULT_BYTES_COLUMN);
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
