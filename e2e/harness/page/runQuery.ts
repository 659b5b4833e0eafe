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

/** One response of the data source as Grafana's runner turns it into PanelData (a streaming state stays). */
const toPanelData = (response: DataQueryResponse, request: DataQueryRequest): PanelData => {
  const errors = response.errors ?? (response.error ? [response.error] : []);
  const state = errors.length
    ? LoadingState.Error
    : response.state === LoadingState.Streaming
      ? LoadingState.Streaming
      : LoadingState.Done;
  return {
    state,
    // Grafana's runner accepts any frame-like shape a data source returns and normalises it.
    series: (response.data ?? []).map((frame) => toDataFrame(frame)),
    errors: errors.length ? errors : undefined,
    error: errors[0],
    request,
    timeRange: request.range,
  };
};

const failed = (err: unknown, request: DataQueryRequest): PanelData => {
  const error: DataQueryError = toDataQueryError(err as Error);
  return { state: LoadingState.Error, series: [], error, errors: [error], request, timeRange: request.range };
};

export const runQuery = async (ds: DataSourceApi, request: DataQueryRequest): Promise<PanelData> => {
  try {
    const result = ds.query(request);
    return toPanelData(await lastValueFrom(isObservable(result) ? result : from(result)), request);
  } catch (err) {
    return failed(err, request);
  }
};

/**
 * Like Grafana's runner for a panel that stays subscribed: every response of the data source
 * (a streaming one sends many) becomes the panel's data; the returned function unsubscribes,
 * as Grafana does when the panel goes away or runs its query again.
 */
export const observeQuery = (
  ds: DataSourceApi,
  request: DataQueryRequest,
  onData: (data: PanelData) => void
): (() => void) => {
  const result = ds.query(request);
  const subscription = (isObservable(result) ? result : from(result)).subscribe({
    next: (response) => onData(toPanelData(response, request)),
    error: (err: unknown) => onData(failed(err, request)),
  });
  return () => subscription.unsubscribe();
};
