import type { DbSession } from '../db/types';
import { loadSqlParser, parseStatements, type ParseNode } from '../pg/parse-sql';
import { displayName } from './load-catalog';
import { quoteIdent } from '../pg/quote';

/**
 * What each continuous aggregate stores, in terms of its source hypertable, so the builder can
 * tell whether a query over the hypertable can be answered from it (sql/cagg-routing.ts).
 *
 * The bucket (width, origin, offset, time zone) comes from TimescaleDB's own catalog; the
 * group-by columns and the stored aggregates from the view definition, parsed with PostgreSQL's
 * parser (pg/parse-sql.ts) rather than pattern-matched. A cagg on a cagg is resolved through
 * its parent down to the raw hypertable: `sum(sum_v)` over a parent whose `sum_v` is `sum(v)`
 * stores `sum(v)`, `min(mn)` over `min(v)` stores `min(v)`, and so on.
 */

/** An aggregate the view stores, over a column of the source hypertable. */
export type StoredFunction = 'min' | 'max' | 'sum' | 'count' | 'count_rows' | 'avg' | 'first' | 'last';

export interface StoredAggregate {
  /** The view's output column. */
  output: string;
  fn: StoredFunction;
  /** Column of the source hypertable it aggregates (empty for count_rows = count(*)). */
  column: string;
  /** The argument's cast, when the view widened it before aggregating (`sum(v::float8)`). */
  cast?: 'float8' | 'numeric';
}

export interface CaggBucket {
  /** Fixed width in milliseconds; null for calendar (month/year) widths. */
  widthMs: number | null;
  /** Origin of the buckets, epoch ms; null = TimescaleDB's default (2000-01-03 for fixed widths). */
  originMs: number | null;
  offsetMs: number | null;
  timeZone: string | null;
}

export interface ContinuousAggregate {
  /** Catalog name of the view (bare in public). */
  name: string;
  /** Quoted, schema-qualified view. */
  ident: string;
  /** Catalog name of the raw hypertable at the bottom of the hierarchy. */
  source: string;
  /** Catalog name of the parent cagg when this one is built on another; null otherwise. */
  parent: string | null;
  matHypertableId: number;
  /** Materialized-only: the view shows nothing newer than its last refresh. */
  materializedOnly: boolean;
  bucket: CaggBucket;
  /** The view's bucket column. */
  bucketColumn: string;
  /** The source hypertable's time column the buckets are computed from. */
  timeColumn: string;
  /** Plain group-by columns: view output → source column. */
  groupBy: Array<{ output: string; column: string }>;
  /** Whether `groupBy` (plus the bucket) is the whole GROUP BY: no expression groups it by more. */
  groupByComplete: boolean;
  aggregates: StoredAggregate[];
  /** Why routing may not use this view at all (a WHERE, a HAVING, a join …); null when it may. */
  unroutable: string | null;
}

const CAGGS_SQL = `
SELECT ca.mat_hypertable_id::int AS mat_id, ca.parent_mat_hypertable_id::int AS parent_id,
       ca.user_view_schema AS schema, ca.user_view_name AS name, ca.materialized_only,
       h.schema_name AS raw_schema, h.table_name AS raw_name,
       bf.bucket_fixed_width AS fixed,
       CASE WHEN bf.bucket_fixed_width THEN extract(epoch FROM bf.bucket_width::interval)::float8 * 1000 END AS width_ms,
       extract(epoch FROM bf.bucket_origin::timestamptz)::float8 * 1000 AS origin_ms,
       extract(epoch FROM bf.bucket_offset::interval)::float8 * 1000 AS offset_ms,
       bf.bucket_timezone AS time_zone,
       v.view_definition AS definition
FROM _timescaledb_catalog.continuous_agg ca
JOIN _timescaledb_catalog.hypertable h ON h.id = ca.raw_hypertable_id
JOIN _timescaledb_catalog.continuous_aggs_bucket_function bf ON bf.mat_hypertable_id = ca.mat_hypertable_id
JOIN timescaledb_information.continuous_aggregates v ON v.view_schema = ca.user_view_schema AND v.view_name = ca.user_view_name
ORDER BY ca.mat_hypertable_id`;

interface CaggRow {
  mat_id: number;
  parent_id: number | null;
  schema: string;
  name: string;
  materialized_only: boolean;
  raw_schema: string;
  raw_name: string;
  fixed: boolean;
  width_ms: number | null;
  origin_ms: number | null;
  offset_ms: number | null;
  time_zone: string | null;
  definition: string;
}

/** Every continuous aggregate, parents before children. Empty when the catalog tables cannot be read. */
export async function loadContinuousAggregates(db: DbSession): Promise<ContinuousAggregate[]> {
  let rows: CaggRow[];
  try {
    rows = (await db.query<CaggRow>(CAGGS_SQL)).rows;
  } catch {
    // A TimescaleDB whose internal catalog differs (older or newer than 2.13–2.23): no routing.
    return [];
  }
  await loadSqlParser();
  const byMatId = new Map<number, ContinuousAggregate>();
  const out: ContinuousAggregate[] = [];
  for (const row of rows) {
    const parent = row.parent_id !== null ? (byMatId.get(Number(row.parent_id)) ?? null) : null;
    const cagg = describe(row, parent);
    byMatId.set(Number(row.mat_id), cagg);
    out.push(cagg);
  }
  return out;
}

function describe(row: CaggRow, parent: ContinuousAggregate | null): ContinuousAggregate {
  const cagg: ContinuousAggregate = {
    name: displayName(row.schema, row.name),
    ident: `${quoteIdent(row.schema)}.${quoteIdent(row.name)}`,
    source: parent ? parent.source : displayName(row.raw_schema, row.raw_name),
    parent: parent?.name ?? null,
    matHypertableId: Number(row.mat_id),
    materializedOnly: Boolean(row.materialized_only),
    bucket: {
      widthMs: row.fixed && row.width_ms !== null ? Number(row.width_ms) : null,
      originMs: row.origin_ms !== null ? Number(row.origin_ms) : null,
      offsetMs: row.offset_ms !== null ? Number(row.offset_ms) : null,
      timeZone: row.time_zone,
    },
    bucketColumn: '',
    timeColumn: '',
    groupBy: [],
    groupByComplete: false,
    aggregates: [],
    unroutable: null,
  };
  if (row.parent_id !== null && !parent) {
    return { ...cagg, unroutable: 'its parent continuous aggregate is unknown' };
  }
  if (parent?.unroutable) {
    return { ...cagg, unroutable: `its parent ${parent.name} cannot be routed to (${parent.unroutable})` };
  }
  let select: ParseNode;
  try {
    const [stmt] = parseStatements(row.definition.trim().replace(/;$/, ''));
    select = (stmt?.stmt as { SelectStmt?: ParseNode }).SelectStmt ?? {};
  } catch {
    return { ...cagg, unroutable: 'its definition does not parse' };
  }
  const why = unroutableShape(select);
  if (why) {
    return { ...cagg, unroutable: why };
  }
  const targets = ((select.targetList as ParseNode[] | undefined) ?? []).flatMap((t) =>
    t.ResTarget ? [t.ResTarget as { name?: string; val: ParseNode }] : []
  );
  // The bucket first: first/last are only usable when ordered by the bucket's time column.
  const isBucket = (r: { val: ParseNode }) =>
    (r.val.FuncCall as { funcname?: Array<{ String?: { sval: string } }> } | undefined)?.funcname?.some(
      (n) => n.String?.sval === 'time_bucket'
    ) ?? false;
  for (const res of [...targets.filter(isBucket), ...targets.filter((r) => !isBucket(r))]) {
    readTarget(cagg, res, parent);
  }
  if (!cagg.bucketColumn) {
    return { ...cagg, unroutable: 'its bucket column was not recognised' };
  }
  const groupClause = (select.groupClause as ParseNode[] | undefined) ?? [];
  cagg.groupByComplete = groupClause.length === cagg.groupBy.length + 1 && (!parent || parent.groupByComplete);
  return cagg;
}

function unroutableShape(select: ParseNode): string | null {
  const from = (select.fromClause as ParseNode[] | undefined) ?? [];
  if (from.length !== 1 || !from[0].RangeVar) {
    return 'it reads more than one relation';
  }
  if (select.whereClause) {
    return 'it filters rows (WHERE)';
  }
  if (select.havingClause) {
    return 'it filters groups (HAVING)';
  }
  if (select.distinctClause) {
    return 'it uses DISTINCT';
  }
  return null;
}

/** The column a node names, when it is a plain (possibly table-qualified) column reference. */
function columnName(node: ParseNode | undefined): string | null {
  const ref = node?.ColumnRef as { fields?: ParseNode[] } | undefined;
  const last = ref?.fields?.[ref.fields.length - 1] as { String?: { sval: string } } | undefined;
  return last?.String?.sval ?? null;
}

/** A column reference with casts stripped only when the cast cannot change the values' order or sum (to double precision / numeric). */
function argumentColumn(node: ParseNode | undefined): { column: string; cast?: 'float8' | 'numeric' } | null {
  const cast = node?.TypeCast as
    { arg: ParseNode; typeName: { names: Array<{ String?: { sval: string } }> } } | undefined;
  if (cast) {
    const type = cast.typeName.names[cast.typeName.names.length - 1]?.String?.sval;
    const column = columnName(cast.arg);
    return column && (type === 'float8' || type === 'numeric') ? { column, cast: type } : null;
  }
  const column = columnName(node);
  return column ? { column } : null;
}

function readTarget(
  cagg: ContinuousAggregate,
  res: { name?: string; val: ParseNode },
  parent: ContinuousAggregate | null
): void {
  const plain = columnName(res.val);
  if (plain !== null) {
    // A group-by column; in a cagg on a cagg it must be one of the parent's group-by columns.
    const column = parent ? parent.groupBy.find((g) => g.output === plain)?.column : plain;
    if (column !== undefined) {
      cagg.groupBy.push({ output: res.name ?? plain, column });
    }
    return;
  }
  const call = res.val.FuncCall as
    | {
        funcname: Array<{ String?: { sval: string } }>;
        args?: ParseNode[];
        agg_star?: boolean;
        agg_filter?: unknown;
        agg_distinct?: boolean;
        over?: unknown;
      }
    | undefined;
  if (!call || !res.name || call.agg_filter || call.agg_distinct || call.over) {
    return;
  }
  const fn = call.funcname[call.funcname.length - 1]?.String?.sval ?? '';
  const args = call.args ?? [];
  if (fn === 'time_bucket' && !cagg.bucketColumn) {
    const over = columnName(args[1]);
    const time = parent ? (over === parent.bucketColumn ? parent.timeColumn : null) : over;
    if (time) {
      cagg.bucketColumn = res.name;
      cagg.timeColumn = time;
    }
    return;
  }
  const stored = parent ? composedOverParent(fn, args, parent) : storedOverRaw(fn, args, call.agg_star === true, cagg);
  if (stored) {
    cagg.aggregates.push({ output: res.name, ...stored });
  }
}

function storedOverRaw(
  fn: string,
  args: ParseNode[],
  star: boolean,
  cagg: ContinuousAggregate
): Omit<StoredAggregate, 'output'> | null {
  if (fn === 'count' && star) {
    return { fn: 'count_rows', column: '' };
  }
  if ((fn === 'min' || fn === 'max') && args.length === 1) {
    const column = columnName(args[0]);
    return column ? { fn, column } : null;
  }
  if ((fn === 'count' || fn === 'avg' || fn === 'sum') && args.length === 1) {
    const arg = argumentColumn(args[0]);
    return arg ? { fn, ...arg } : null;
  }
  if ((fn === 'first' || fn === 'last') && args.length === 2) {
    const column = columnName(args[0]);
    // Only first/last by the bucket's own time column compose bucket to bucket.
    return column && columnName(args[1]) === cagg.timeColumn ? { fn, column } : null;
  }
  return null;
}

/** Aggregates over a parent cagg's stored aggregates that are again exact aggregates of the raw rows. */
function composedOverParent(
  fn: string,
  args: ParseNode[],
  parent: ContinuousAggregate
): Omit<StoredAggregate, 'output'> | null {
  const inner = parent.aggregates.find((a) => a.output === columnName(args[0]));
  if (!inner) {
    return null;
  }
  if (fn === 'sum' && args.length === 1 && (inner.fn === 'sum' || inner.fn === 'count' || inner.fn === 'count_rows')) {
    // The parent's widening (sum(v::float8)) carries over: a sum of float8 sums stays float8.
    return inner.cast
      ? { fn: inner.fn, column: inner.column, cast: inner.cast }
      : { fn: inner.fn, column: inner.column };
  }
  if ((fn === 'min' || fn === 'max') && args.length === 1 && inner.fn === fn) {
    return { fn, column: inner.column };
  }
  if (
    (fn === 'first' || fn === 'last') &&
    args.length === 2 &&
    inner.fn === fn &&
    columnName(args[1]) === parent.bucketColumn
  ) {
    return { fn, column: inner.column };
  }
  return null;
}
