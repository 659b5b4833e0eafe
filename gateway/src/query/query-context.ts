import type { QueryRequest } from '../contract/query';
import type { Dialect } from '../sql/bucket-sql';
import { parseTimeRange, validateTimeZone, type TimeRangeMs } from '../time/time-range';

/** What every query of one request shares: range, interval, point budget, zone, dialect. */
export interface RequestContext {
  range: TimeRangeMs;
  intervalMs: number;
  maxDataPoints: number;
  timeZone: string;
  dialect: Dialect;
}

export const DEFAULT_MAX_DATA_POINTS = 1000;

export function requestContext(req: QueryRequest, timescale: boolean): RequestContext {
  const range = parseTimeRange(req.range);
  const maxDataPoints = req.maxDataPoints ?? DEFAULT_MAX_DATA_POINTS;
  // Without an interval from the panel, spread the range over the point budget (at least 1 ms).
  const intervalMs =
    req.intervalMs && req.intervalMs > 0
      ? req.intervalMs
      : Math.max(1, Math.round((range.to - range.from) / maxDataPoints));
  return {
    range,
    intervalMs,
    maxDataPoints,
    timeZone: validateTimeZone(req.timezone),
    dialect: timescale ? 'timescaledb' : 'postgres',
  };
}
