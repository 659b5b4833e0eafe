import type { BuilderQuery } from '../contract/query';
import type { Db } from '../db/types';
import type { ResolvedTable } from '../catalog/catalog';
import type { ContinuousAggregate } from '../catalog/continuous-aggregates';
import { buildBuilderQuery } from '../sql/builder';
import { dialectForTable, readsForeignData } from '../sql/foreign-pushdown';
import { type BuilderContext, Params, inlineParams } from '../sql/builder-context';
import { addNotice, type WorkFrame } from '../frames/frame-types';
import { resultToFields } from '../frames/result-fields';
import { shapeFrame } from '../frames/shape-frames';
import type { RequestContext } from './query-context';
import { estimateBytes, tooManyBytes, tooManyRows, type ResultLimits } from './result-limits';
import { isResultBytesStop, resultBytesCappedSql } from './result-bytes-sql';
import { builderResultColumns, needsResultBytesCap } from './builder-result-bytes';
import { downsampleRawSeries } from './downsample-raw';
import { costGuardEnabled, queryWithinCost, type CostLimits } from './cost-guard';

export interface BuilderRunOptions {
  db: Db;
  table: ResolvedTable;
  limits: ResultLimits;
  statementTimeoutMs: number;
  onExecuted: (sql: string) => void;
  /** Aborted when the answer is no longer wanted: the statement is cancelled. */
  signal?: AbortSignal;
  /** The cost guard's limits (off when absent or both 0). */
  costLimits?: CostLimits;
  /** The table's continuous aggregates, for routing. */
  continuousAggregates?: readonly ContinuousAggregate[];
}

/** What the builder knows of one request and its table; the same for running and for rendering. */
export function builderContext(
  ctx: RequestContext,
  table: ResolvedTable,
  limits: ResultLimits,
  continuousAggregates?: readonly ContinuousAggregate[]
): BuilderContext {
  return {
    ...ctx,
    // Foreign data keeps to SQL postgres_fdw ships to the remote server (sql/foreign-pushdown.ts).
    dialect: dialectForTable(table.entry, ctx.dialect),
    shippable: readsForeignData(table.entry),
    table: { name: table.name, sql: table.ident, columns: table.columns, timeColumn: table.timeColumn },
    maxRows: limits.maxRows,
    continuousAggregates,
  };
}

/** One builder query: SQL built from catalog identifiers and bound values, run read-only, shaped into frames. */
export async function runBuilderQuery(
  q: BuilderQuery,
  ctx: RequestContext,
  opts: BuilderRunOptions
): Promise<WorkFrame> {
  const built = buildBuilderQuery(q, builderContext(ctx, opts.table, opts.limits, opts.continuousAggregates));
  const shown = inlineParams(built.sql, built.params);
  opts.onExecuted(shown);
  // Wide values (text labels, raw text) are held to the byte cap inside the database.
  const sized = builderResultColumns(q, opts.table.columns, built);
  const params = new Params();
  params.values.push(...built.params);
  const sql = needsResultBytesCap(sized, built.rowCap, opts.limits.maxBytes)
    ? resultBytesCappedSql(built.sql, sized, opts.limits.maxBytes, params)
    : built.sql;
  const result = await opts.db
    .transaction(
      async (tx) => {
        // The estimate is of the statement as built (the byte cap's wrapper adds nothing to plan).
        // Builder results are series of up to the row cap: read as many rows.
        return costGuardEnabled(opts.costLimits) && !q.allowExpensive
          ? queryWithinCost(tx, built, opts.costLimits, q.refId, sql, params.values, { many: true })
          : tx.queryMany
            ? tx.queryMany<Record<string, unknown>>(sql, params.values)
            : tx.query<Record<string, unknown>>(sql, params.values);
      },
      { readOnly: true, staleOk: true, statementTimeoutMs: opts.statementTimeoutMs, signal: opts.signal }
    )
    .catch((err: unknown) => {
      throw isResultBytesStop(err) ? tooManyBytes(opts.limits.maxBytes) : err;
    });
  let rows = result.rows;
  let fields = result.fields;
  let downsampled = false;
  // The statement fetched at most one row more than the cap: that row only says "too large".
  if (rows.length > built.rowCap) {
    throw tooManyRows(built.rowCap);
  }
  estimateBytes(rows, opts.limits.maxBytes);
  if (built.rawPointCap !== undefined) {
    // Each row carries its series' full size; series longer than the cap are downsampled (LTTB).
    const seriesColumns = [...built.rename.keys()].filter((k) => /^g\d+$/.test(k));
    ({ rows, reduced: downsampled } = downsampleRawSeries(rows, built.rawPointCap, seriesColumns));
    fields = fields.filter((f) => f.name !== '__n');
  }
  const frame = shapeFrame(resultToFields({ rows, fields }, built.rename), {
    format: built.format,
    executedQueryString: shown,
    range: ctx.range,
    rowLimit: opts.limits.maxRows,
    metricColumnNaming: false,
  });
  for (const notice of built.notices) {
    addNotice(frame, notice);
  }
  if (downsampled) {
    addNotice(frame, {
      severity: 'info',
      text: `Downsampled to at most ${built.rawPointCap} points per series (maxDataPoints, at most the row limit) with LTTB on ${built.rename.get('v0')}; first, last, minimum and maximum kept. Narrow the range to see every row`,
    });
  }
  if (built.bucket && frame.fields.length) {
    // notRouted: why the table's continuous aggregates could not answer (for the query inspector, not a notice on every panel).
    frame.meta.custom = {
      bucket: built.bucket,
      servedBy: built.servedBy,
      ...(built.notRouted?.length ? { notRouted: built.notRouted } : {}),
    };
  }
  return frame;
}
