import { getDefaultTimeRange, rangeUtil, type PanelData, type ScopedVars, type TimeRange } from '@grafana/data';

import type { RenderContext } from './queryRequest';

/** The gateway's point budget when a request names none (gateway/src/query/query-context.ts). */
const DEFAULT_MAX_DATA_POINTS = 1000;

export type EditorRenderContext = RenderContext & { scopedVars: ScopedVars };

/**
 * What the query editor renders the builder against: the panel's last request when there is
 * one (its range, interval, point budget, zone and scoped variables — what the query ran
 * with), else the editor's range with the interval Grafana would compute for it.
 */
export const editorRenderContext = (
  data: PanelData | undefined,
  range: TimeRange | undefined,
  minInterval?: string
): EditorRenderContext => {
  const request = data?.request;
  if (request) {
    return {
      range: request.range,
      intervalMs: request.intervalMs,
      maxDataPoints: request.maxDataPoints,
      timezone: request.timezone,
      scopedVars: request.scopedVars ?? {},
    };
  }
  const editorRange = range ?? getDefaultTimeRange();
  const { intervalMs } = rangeUtil.calculateInterval(editorRange, DEFAULT_MAX_DATA_POINTS, minInterval);
  return {
    range: editorRange,
    intervalMs,
    maxDataPoints: DEFAULT_MAX_DATA_POINTS,
    timezone: 'browser',
    scopedVars: {},
  };
};

/** A key that changes only when the rendering would: used to skip re-rendering identical input. */
export const renderContextKey = (context: RenderContext): string =>
  JSON.stringify([
    context.range.from.valueOf(),
    context.range.to.valueOf(),
    context.intervalMs,
    context.maxDataPoints,
    context.timezone,
  ]);
