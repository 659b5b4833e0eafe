import { dateTime, type AdHocVariableFilter, type DataQueryRequest, type ScopedVars } from '@grafana/data';

/** A panel refresh as Grafana issues it: the last `hours` hours, in UTC. */
export const makeRequest = <Q extends { refId: string }>(
  targets: Q[],
  options: {
    hours?: number;
    futureMinutes?: number;
    maxDataPoints?: number;
    intervalMs?: number;
    filters?: AdHocVariableFilter[];
    scopedVars?: ScopedVars;
  } = {}
): DataQueryRequest<Q> => {
  const to = dateTime().add(options.futureMinutes ?? 0, 'minute');
  const from = dateTime(to).subtract(options.hours ?? 1, 'hour');
  return {
    requestId: `req-${Math.random().toString(36).slice(2)}`,
    interval: '1m',
    intervalMs: options.intervalMs ?? 60_000,
    maxDataPoints: options.maxDataPoints ?? 1000,
    range: { from, to, raw: { from: `now-${options.hours ?? 1}h`, to: 'now' } },
    scopedVars: options.scopedVars ?? {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
    filters: options.filters,
  } as DataQueryRequest<Q>;
};
