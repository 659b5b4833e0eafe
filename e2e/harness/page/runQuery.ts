/**
 * What Grafana's panel query runner does for one panel: build the DataQueryRequest
 * (range, interval from maxDataPoints and the data source's min interval, the
 * `$__interval` scoped variables), call the data source's `query()`, and collect frames
 * and errors into PanelData.
 */
import {
  CoreApp,
  LoadingState,
  rangeUtil,
  toDataFrame,
  type DataQuery,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type PanelData,
  type TimeRange,
} from '@grafana/data';
import { toDataQueryError } from '@grafana/runtime';
import { from, lastValueFrom, isObservable } from 'rxjs';

let requestCount = 0;

export const buildRequest = (
  ds: DataSourceApi,
  query: DataQuery,
  range: TimeRange,
  maxDataPoints: number
): DataQueryRequest => {
  const { interval, intervalMs } = rangeUtil.calculateInterval(range, maxDataPoints, ds.interval ?? undefined);
  requestCount += 1;
  return {
    app: CoreApp.PanelEditor,
    requestId: `harness-${requestCount}`,
    timezone: 'utc',
    range,
    rangeRaw: range.raw,
    interval,
    intervalMs,
    maxDataPoints,
    targets: [query],
    scopedVars: {
      __interval: { text: interval, value: interval },
      __interval_ms: { text: String(intervalMs), value: intervalMs },
    },
    startTime: Date.now(),
    dashboardUID: 'harness',
    panelId: 1,
  };
};

export const runQuery = async (ds: DataSourceApi, request: DataQueryRequest): Promise<PanelData> => {
  let response: DataQueryResponse;
  try {
    const result = ds.query(request);
    response = await lastValueFrom(isObservable(result) ? result : from(result));
  } catch (err) {
    const error: DataQueryError = toDataQueryError(err as Error);
    return { state: LoadingState.Error, series: [], error, errors: [error], request, timeRange: request.range };
  }
  const errors = response.errors ?? (response.error ? [response.error] : []);
  return {
    state: errors.length ? LoadingState.Error : LoadingState.Done,
    // Grafana's runner accepts any frame-like shape a data source returns and normalises it.
    series: (response.data ?? []).map((frame) => toDataFrame(frame)),
    errors: errors.length ? errors : undefined,
    error: errors[0],
    request,
    timeRange: request.range,
  };
};
