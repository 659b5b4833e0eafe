import { addNotice, type WorkField, type WorkFrame } from './frame-types';
import { type FillMissing, missingValue, timeSeriesSchema } from './long-to-wide';
import { durationSeconds } from '../time/interval';
import { unixSeconds } from '../time/time-range';

/**
 * Grafana's fill for `$__timeGroup(col, interval, fill)`: the wide frame is resampled onto a
 * grid from the range start (aligned down to the interval) to the range end. Each grid point
 * takes the last row in (point - interval, point]; empty points get the fill value, NULL or
 * the previous row's value.
 */

export interface ResampleOptions {
  fill: FillMissing;
  intervalMs: number;
  from: number;
  to: number;
  /** Above this many grid points the fill is skipped with a warning, as Grafana does. */
  maxPoints: number;
  /** Above this many values (grid points × fields) the fill is skipped the same way. */
  maxCells?: number;
}

/** The grid start: whole seconds like Grafana (`from` truncated to the interval); sub-second intervals align to the interval itself. */
export function alignedStart(from: number, intervalMs: number): number {
  const stepSeconds = Math.trunc(durationSeconds(intervalMs));
  if (stepSeconds >= 1) {
    return Math.trunc(unixSeconds(from) / stepSeconds) * stepSeconds * 1000;
  }
  return Math.floor(from / intervalMs) * intervalMs;
}

export function applyFill(frame: WorkFrame, opts: ResampleOptions): WorkFrame {
  const start = alignedStart(opts.from, opts.intervalMs);
  // Measured before any point is made: the grid has points + 1 entries for every field.
  const points = Math.trunc((opts.to - start) / opts.intervalMs);
  const cells = (points + 1) * frame.fields.length;
  if (!(points <= opts.maxPoints) || (opts.maxCells !== undefined && cells > opts.maxCells)) {
    addNotice(frame, {
      severity: 'warning',
      text: 'Fill operation skipped: time range and interval would require more points than the configured row limit',
    });
    return frame;
  }
  const schema = timeSeriesSchema(frame);
  if (schema.kind === 'not') {
    addNotice(frame, { severity: 'warning', text: 'Failed to resample dataframe' });
    return frame;
  }
  const time = frame.fields[schema.timeIndex].values as Array<number | null>;
  if (time.some((t) => t === null)) {
    addNotice(frame, { severity: 'warning', text: 'Failed to resample dataframe' });
    return frame;
  }
  const isValue = new Set(schema.valueIndices);
  const out: WorkField[] = frame.fields.map((f) => ({ ...f, values: [] as unknown[] }));
  const rows = time.length;
  let lastSeen = -1;
  // Stepping by index, not by adding: an interval below the precision of `current` would never move it.
  for (let k = 0; k <= points; k++) {
    const current = start + k * opts.intervalMs;
    if (current > opts.to) {
      break;
    }
    let r = lastSeen > 0 ? lastSeen + 1 : 0;
    const previous = current - opts.intervalMs;
    let lastInWindow = -1;
    while (r < rows) {
      const t = time[r] as number;
      if (t > previous) {
        if (t <= current) {
          lastInWindow = r;
        } else {
          break;
        }
      }
      lastSeen = r;
      r++;
    }
    frame.fields.forEach((f, i) => {
      let v: unknown;
      if (i === schema.timeIndex) {
        v = current;
      } else if (isValue.has(i)) {
        v = lastInWindow >= 0 ? f.values[lastInWindow] : missingValue(opts.fill, f, lastSeen);
      } else {
        v = lastSeen >= 0 ? f.values[lastSeen] : null;
      }
      out[i].values.push(v);
    });
  }
  return { fields: out, meta: frame.meta };
}
