import {
  CustomVariableSupport,
  DataSourceApi,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceGetTagKeysOptions,
  type DataSourceGetTagValuesOptions,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
  type TimeRange,
  CoreApp,
  dateTime,
} from '@grafana/data';
import { getTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import type { RenderResponse } from 'timescaledb-gateway/contract';
import { catchError, lastValueFrom, map, of, throwError, timeout, type Observable } from 'rxjs';

import { labels } from 'labels';
import { GRAFANA_PROXY_TIMEOUT_SECONDS, type TsDataSourceOptions } from 'types/config';
import { defaultQuery, type TsBuilderQuery, type TsQuery, type TsSqlQuery } from 'types/query';
import { VariableQueryMode, type TsVariableQuery } from 'types/variables';

import { createAnnotationSupport } from './annotationSupport';
import { CatalogCache } from './catalogCache';
import { GatewayClient, GatewayError, LocalErrorCode, toGatewayError } from './gatewayClient';
import { framesToMetricFindValues } from './metricFind';
import { migrateQuery, migrateVariableQuery } from './migrations';
import { buildQueryRequest, buildRenderRequest, toWireAdHocFilters, type RenderContext } from './queryRequest';
import { toDataQueryResponse, toRequestErrorResponse } from './queryResponse';
import { interpolateBoundValue, interpolateSql, searchFilterScopedVars } from './sqlInterpolation';
import { describeInfo, describeTestFailure } from './testDatasource';
import { TsVariableSupport } from './variableSupport';
import { LiveConnection } from './live/liveConnection';
import { isLive, runLive } from './live/liveQuery';

const BROWSER_GRACE_SECONDS = 5;

/** A query is worth sending once the editor has produced something runnable. */
export const isRunnable = (query: TsQuery): boolean => {
  if (query.hide) {
    return false;
  }
  if (query.mode === 'sql') {
    return !!query.rawSql?.trim();
  }
  return !!query.table && (query.metrics ?? []).some((m) => m.column);
};

export class DataSource extends DataSourceApi<TsQuery, TsDataSourceOptions> {
  readonly client: GatewayClient;
  readonly catalog: CatalogCache;
  /** All live queries of this data source on the page share this one stream. */
  readonly live: LiveConnection;
  private readonly gatewayUrl: string;
  private readonly timeoutSeconds: number;
  private readonly adHocTable?: string;

  constructor(
    instanceSettings: DataSourceInstanceSettings<TsDataSourceOptions>,
    private readonly templateSrv: TemplateSrv = getTemplateSrv()
  ) {
    super(instanceSettings);
    this.client = new GatewayClient(instanceSettings.url ?? '');
    this.catalog = new CatalogCache(this.client);
    this.live = new LiveConnection((body) => this.client.stream(body));
    this.gatewayUrl = instanceSettings.jsonData.url ?? '';
    // What Grafana's data proxy waits when jsonData.timeout is unset (the editor writes DEFAULT_TIMEOUT_SECONDS).
    this.timeoutSeconds = Number(instanceSettings.jsonData.timeout) || GRAFANA_PROXY_TIMEOUT_SECONDS;
    this.adHocTable = instanceSettings.jsonData.adHocTable;
    // Grafana's query runner reads the data source's `interval` as the lower bound of
    // $__interval / intervalMs, as the "Min interval" setting of its SQL data sources does.
    this.interval = instanceSettings.jsonData.timeInterval || undefined;
    // Grafana types the variable editor's datasource prop as the base class; ours needs the subclass.
    this.variables = new TsVariableSupport(this) as unknown as CustomVariableSupport<
      DataSourceApi<TsQuery, TsDataSourceOptions>
    >;
    this.annotations = createAnnotationSupport();
  }

  getDefaultQuery(_app: CoreApp): Partial<TsQuery> {
    return defaultQuery;
  }

  filterQuery(query: TsQuery): boolean {
    return isRunnable(migrateQuery(query));
  }

  /** Template variables in SQL get Grafana's PostgreSQL quoting; builder values stay raw (they are bound parameters). */
  applyTemplateVariables(query: TsQuery, scopedVars: ScopedVars): TsQuery {
    const replace = (text: string) => this.templateSrv.replace(text, scopedVars);
    if (query.mode === 'sql') {
      return { ...query, rawSql: interpolateSql(this.templateSrv, query.rawSql, scopedVars) };
    }
    return {
      ...query,
      table: replace(query.table),
      ...(query.timeColumn ? { timeColumn: replace(query.timeColumn) } : {}),
      metrics: query.metrics.map((m) => ({ ...m, column: replace(m.column) })),
      groupBy: query.groupBy?.map(replace),
      filters: query.filters?.map((f) =>
        typeof f.value === 'string' ? { ...f, value: interpolateBoundValue(this.templateSrv, f.value, scopedVars) } : f
      ),
      ...(query.bucket ? { bucket: replace(query.bucket) } : {}),
    };
  }

  /** What Explore and "copy query" show: the queries with variables filled in. */
  interpolateVariablesInQueries(queries: TsQuery[], scopedVars: ScopedVars): TsQuery[] {
    return queries.map((q) => ({
      ...this.applyTemplateVariables(migrateQuery(q), scopedVars),
      datasource: this.getRef(),
    }));
  }

  query(request: DataQueryRequest<TsQuery>): Observable<DataQueryResponse> {
    const queries = request.targets
      .map(migrateQuery)
      .filter(isRunnable)
      .map((q) => this.applyTemplateVariables(q, request.scopedVars));
    if (!queries.length) {
      return of({ data: [] });
    }
    const refIds = queries.map((q) => q.refId);
    const body = buildQueryRequest(request, queries, toWireAdHocFilters(request.filters));
    const liveRefIds = new Set(queries.filter((q) => isLive(q, request.range)).map((q) => q.refId));
    if (liveRefIds.size) {
      const history = this.client.query(body, request.requestId).pipe(map((response) => response.data));
      const onError = (err: unknown) => toRequestErrorResponse(this.explain(toGatewayError(err)), refIds);
      return runLive({ connection: this.live, history, body, request, liveRefIds, onError });
    }
    return this.client.query(body, request.requestId).pipe(
      // Grafana's data proxy gives up after the same timeout and answers 504; the browser
      // waits a little longer so that answer, or the gateway's own, is what the user sees.
      timeout({
        first: (this.timeoutSeconds + BROWSER_GRACE_SECONDS) * 1000,
        with: () =>
          throwError(() => new GatewayError(0, LocalErrorCode.timeout, labels.errors.timeout(this.timeoutSeconds))),
      }),
      map((response) => toDataQueryResponse(response.data, refIds)),
      catchError((err) => of(toRequestErrorResponse(this.explain(toGatewayError(err)), refIds)))
    );
  }

  /**
   * The builder query as the gateway's builder renders it — the SQL it runs and the SQL-mode
   * text — with template variables interpolated as `query()` does before sending. Nothing runs.
   * Unsubscribing cancels the request.
   */
  renderBuilder(
    query: TsBuilderQuery,
    context: RenderContext & { scopedVars?: ScopedVars }
  ): Observable<RenderResponse> {
    const interpolated = this.applyTemplateVariables(migrateQuery(query), context.scopedVars ?? {}) as TsBuilderQuery;
    return this.client.render(buildRenderRequest(context, interpolated)).pipe(
      map((response) => response.data),
      catchError((err) => throwError(() => this.explain(toGatewayError(err))))
    );
  }

  /** Failures without a gateway message get one that says what happened where. */
  private explain(error: GatewayError): GatewayError {
    switch (error.code) {
      case LocalErrorCode.timeout:
        return new GatewayError(error.status, error.code, labels.errors.timeout(this.timeoutSeconds));
      case LocalErrorCode.unreachable:
        return new GatewayError(error.status, error.code, labels.test.unreachable(this.gatewayUrl));
      case LocalErrorCode.unauthorized:
        return new GatewayError(error.status, error.code, labels.test.unauthorized);
      default:
        return error;
    }
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    if (!this.gatewayUrl) {
      return { status: 'error', message: labels.test.noUrl };
    }
    try {
      const info = await this.client.info();
      this.catalog.refresh();
      return describeInfo(info);
    } catch (err) {
      return describeTestFailure(toGatewayError(err), this.gatewayUrl);
    }
  }

  /** Runs one SQL statement through the query endpoint as a table and returns its frames. */
  async runSql(rawSql: string, refId: string, range?: TimeRange, scopedVars: ScopedVars = {}): Promise<DataFrame[]> {
    const target: TsSqlQuery = { refId, mode: 'sql', format: 'table', rawSql };
    const request = {
      targets: [target],
      range: range ?? defaultRange(),
      scopedVars,
      intervalMs: 60_000,
      maxDataPoints: 1000,
      timezone: 'utc',
    } as unknown as DataQueryRequest<TsQuery>;
    const response = await lastValueFrom(this.query(request));
    const error = response.errors?.[0];
    if (error) {
      throw new Error(error.message);
    }
    return response.data as DataFrame[];
  }

  /** Variable options: SQL (with `__text` / `__value` pairs) or the distinct values of one column. */
  async metricFindQuery(
    query: string | TsVariableQuery,
    options?: { range?: TimeRange; scopedVars?: ScopedVars; searchFilter?: string }
  ): Promise<MetricFindValue[]> {
    const variableQuery = migrateVariableQuery(query);
    const scopedVars = options?.scopedVars ?? {};
    if (variableQuery.mode === VariableQueryMode.Values) {
      if (!variableQuery.table || !variableQuery.column) {
        return [];
      }
      const replace = (text: string) => this.templateSrv.replace(text, scopedVars);
      const search = variableQuery.search ? replace(variableQuery.search) : options?.searchFilter;
      const response = await this.client.values(
        replace(variableQuery.table),
        replace(variableQuery.column),
        search,
        variableQuery.limit
      );
      return response.values.map((v) => ({ text: String(v), value: typeof v === 'boolean' ? String(v) : v }));
    }
    if (!variableQuery.rawSql.trim()) {
      return [];
    }
    const frames = await this.runSql(variableQuery.rawSql, variableQuery.refId || 'variable', options?.range, {
      ...scopedVars,
      ...searchFilterScopedVars(variableQuery.rawSql, options?.searchFilter),
    });
    return framesToMetricFindValues(frames);
  }

  /** The table whose columns are ad hoc filter keys: configured, else the first hypertable, else the first table. */
  async adHocFilterTable(): Promise<string | undefined> {
    if (this.adHocTable) {
      return this.adHocTable;
    }
    const tables = await this.catalog.tables();
    return (tables.find((t) => t.kind === 'hypertable') ?? tables[0])?.name;
  }

  async getTagKeys(_options?: DataSourceGetTagKeysOptions<TsQuery>): Promise<MetricFindValue[]> {
    const table = await this.adHocFilterTable();
    if (!table) {
      return [];
    }
    const columns = await this.catalog.columns(table);
    return columns.filter((c) => c.kind !== 'json').map((c) => ({ text: c.name, value: c.name }));
  }

  async getTagValues(options: DataSourceGetTagValuesOptions<TsQuery>): Promise<MetricFindValue[]> {
    const table = await this.adHocFilterTable();
    if (!table || !options.key) {
      return [];
    }
    const response = await this.client.values(table, options.key);
    return response.values.map((v) => ({ text: String(v), value: String(v) }));
  }
}

const defaultRange = (): TimeRange => {
  const to = dateTime();
  const from = dateTime(to).subtract(6, 'hour');
  return { from, to, raw: { from: 'now-6h', to: 'now' } };
};
