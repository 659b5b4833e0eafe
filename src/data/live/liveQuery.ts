import {
  LoadingState,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type TimeRange,
} from '@grafana/data';
import type { GatewayQuery, QueryRequest, QueryResponse } from 'timescaledb-gateway/contract';
import { Observable, type Observable as ObservableType } from 'rxjs';

import type { TsQuery } from 'types/query';

import { errorCodeData } from '../gatewayClient';

import type { LiveConnection } from './liveConnection';
import { LiveFrames } from './liveFrames';

/** Panels redraw at most this often, however fast rows arrive. */
export const LIVE_THROTTLE_MS = 250;

/** Live applies while the dashboard's range ends at "now" (a fixed range has nothing new to show). */
export const endsAtNow = (range: TimeRange): boolean =>
  typeof range.raw.to === 'string' && range.raw.to.trim() === 'now';

export const isLive = (query: TsQuery, range: TimeRange): boolean => !!query.live && endsAtNow(range);

export interface LiveRunOptions {
  connection: LiveConnection;
  /** The history: the ordinary /api/v1/query answer (wire form). */
  history: ObservableType<QueryResponse>;
  body: QueryRequest;
  request: Pick<DataQueryRequest<TsQuery>, 'range'>;
  /** refIds of the queries to stream (the others keep their history). */
  liveRefIds: Set<string>;
  onError: (err: unknown) => DataQueryResponse;
  now?: () => number;
}

/**
 * A request with live queries: the history first (as the normal path would answer), then
 * `LoadingState.Streaming` responses as deltas arrive on the data source's shared connection,
 * at most one per LIVE_THROTTLE_MS, and at least once per interval so the window keeps sliding.
 * Unsubscribing (panel removed, range changed, Live switched off) releases its subscriptions.
 */
export const runLive = (options: LiveRunOptions): ObservableType<DataQueryResponse> =>
  new Observable<DataQueryResponse>((subscriber) => {
    const now = options.now ?? Date.now;
    const { body } = options;
    const windowMs = Math.max(1, options.request.range.to.valueOf() - options.request.range.from.valueOf());
    const frames = new Map(body.queries.map((q) => [q.refId, new LiveFrames(q.refId, windowMs)]));
    const releases: Array<() => void> = [];
    let last = 0;
    let trailing: ReturnType<typeof setTimeout> | undefined;

    const respond = () => {
      trailing = undefined;
      last = now();
      const data = [...frames.values()].flatMap((f) => f.toDataFrames(last));
      const errors: DataQueryError[] = [];
      for (const f of frames.values()) {
        if (f.failure?.error) {
          errors.push({
            refId: f.refId,
            message: f.failure.error,
            status: f.failure.status,
            ...errorCodeData(f.failure.errorCode),
          });
        }
      }
      subscriber.next({ data, state: LoadingState.Streaming, key: 'tsgw-live', ...(errors.length ? { errors } : {}) });
    };
    const throttled = () => {
      if (trailing) {
        return;
      }
      const wait = last + LIVE_THROTTLE_MS - now();
      if (wait <= 0) {
        respond();
      } else {
        trailing = setTimeout(respond, wait);
      }
    };
    const slide = setInterval(throttled, Math.min(10_000, Math.max(1000, body.intervalMs ?? 1000)));

    const history = options.history.subscribe({
      next: (response) => {
        for (const [refId, f] of frames) {
          f.reset(response.results[refId]);
        }
        respond();
        const cursor = options.request.range.to.valueOf();
        for (const q of body.queries) {
          if (options.liveRefIds.has(q.refId)) {
            releases.push(
              options.connection.subscribe({ query: q as GatewayQuery, context: contextOf(body), cursor }, (event) => {
                frames.get(q.refId)?.apply(event);
                throttled();
              })
            );
          }
        }
      },
      error: (err: unknown) => {
        subscriber.next(options.onError(err));
        subscriber.complete();
      },
    });

    return () => {
      history.unsubscribe();
      clearInterval(slide);
      clearTimeout(trailing);
      releases.forEach((release) => release());
    };
  });

const contextOf = (body: QueryRequest) => ({
  range: body.range,
  ...(body.intervalMs !== undefined ? { intervalMs: body.intervalMs } : {}),
  ...(body.maxDataPoints !== undefined ? { maxDataPoints: body.maxDataPoints } : {}),
  ...(body.timezone !== undefined ? { timezone: body.timezone } : {}),
});
