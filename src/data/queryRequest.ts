import type { AdHocVariableFilter, DataQueryRequest } from '@grafana/data';
import { ADHOC_OPERATORS, DEFAULT_FORMAT } from 'timescaledb-gateway/contract/vocabulary';
import type {
  AdHocFilter,
  BuilderQuery,
  GatewayQuery,
  QueryRequest,
  RenderRequest,
} from 'timescaledb-gateway/contract';
import { type TsBuilderQuery, type TsQuery } from 'types/query';

/** Operators the gateway turns into bound filters; others (e.g. Grafana's "one of") are not sent. */
const SUPPORTED_ADHOC_OPERATORS = new Set<string>(ADHOC_OPERATORS);

export const toWireAdHocFilters = (filters: AdHocVariableFilter[] | undefined): AdHocFilter[] =>
  (filters ?? [])
    .filter((f) => f.key && SUPPORTED_ADHOC_OPERATORS.has(f.operator))
    .map((f) => ({ key: f.key, operator: f.operator, value: String(f.value ?? '') }));

/** Grafana's "browser" zone means the viewer's IANA zone; the gateway needs a name. */
export const resolveTimezone = (timezone: string | undefined): string => {
  if (!timezone || timezone === 'browser') {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  }
  return timezone === 'utc' ? 'UTC' : timezone;
};

/** One panel query as the gateway reads it: only the contract's fields, nothing Grafana-internal. */
export const toGatewayQuery = (query: TsQuery, adhocFilters: AdHocFilter[]): GatewayQuery => {
  const common = {
    refId: query.refId,
    format: query.format ?? DEFAULT_FORMAT[query.mode],
    ...(adhocFilters.length ? { adhocFilters } : {}),
    ...(query.allowExpensive ? { allowExpensive: true } : {}),
  };
  if (query.mode === 'sql') {
    return { ...common, mode: 'sql', rawSql: query.rawSql };
  }
  const {
    table,
    timeColumn,
    metrics,
    groupBy,
    filters,
    bucket,
    fill,
    orderBy,
    limit,
    noPointCap,
    continuousAggregates,
  } = query;
  return {
    ...common,
    mode: 'builder',
    table,
    ...(timeColumn ? { timeColumn } : {}),
    metrics: metrics.filter((m) => m.column),
    ...(groupBy?.length ? { groupBy } : {}),
    ...(filters?.length ? { filters: filters.filter((f) => f.column) } : {}),
    ...(bucket ? { bucket } : {}),
    ...(fill ? { fill } : {}),
    ...(orderBy?.length ? { orderBy: orderBy.filter((o) => o.column) } : {}),
    ...(limit ? { limit } : {}),
    ...(noPointCap ? { noPointCap } : {}),
    // Routing to continuous aggregates is the gateway's default; only turning it off is sent.
    ...(continuousAggregates === false ? { continuousAggregates } : {}),
  };
};

export const buildQueryRequest = (
  request: Pick<DataQueryRequest, 'range' | 'intervalMs' | 'maxDataPoints' | 'timezone'>,
  queries: TsQuery[],
  adhocFilters: AdHocFilter[] = []
): QueryRequest => ({
  range: { from: request.range.from.toISOString(), to: request.range.to.toISOString() },
  intervalMs: request.intervalMs,
  ...(request.maxDataPoints ? { maxDataPoints: Math.max(1, Math.floor(request.maxDataPoints)) } : {}),
  timezone: resolveTimezone(request.timezone),
  queries: queries.map((q) => toGatewayQuery(q, adhocFilters)),
});

/** What a rendering depends on besides the query: the panel's range, interval, point budget and zone. */
export type RenderContext = Pick<DataQueryRequest, 'range' | 'intervalMs' | 'maxDataPoints' | 'timezone'>;

/** `POST /api/v1/query/render`: the query request's shared fields and the one builder query. */
export const buildRenderRequest = (context: RenderContext, query: TsBuilderQuery): RenderRequest => {
  const { queries, ...shared } = buildQueryRequest(context, [query]);
  return { ...shared, query: queries[0] as BuilderQuery };
};
