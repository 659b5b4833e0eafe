import { ApiError } from '../errors';
import type { WorkField, WorkFrame } from './frame-types';
import { rowCount } from './frame-types';
import { longToWide, timeSeriesSchema, wideSize } from './long-to-wide';
import { checkWideCells, maxWideCells } from '../limits/bounds';
import { applyFill } from './resample';
import type { MacroFill } from '../contract/macros';

/**
 * Result → frame the way Grafana's SQL data sources shape it (sqleng's processFrame):
 *  - no rows → one frame without fields (it still carries the executed SQL);
 *  - a column named `time` (and `timeend` in table format) becomes a time field; numbers in it
 *    are epoch seconds, milliseconds or nanoseconds, told apart by magnitude like Grafana;
 *  - table format: columns as they are;
 *  - time-series format: `time` is required and renamed `Time`, other non-string columns become
 *    numbers, string columns become labels (long → wide), and `$__timeGroup`'s fill resamples.
 */

export interface ShapeOptions {
  format: 'time_series' | 'table';
  executedQueryString: string;
  fill?: MacroFill;
  range: { from: number; to: number };
  /** Row limit, used to skip a fill that would need more points (as Grafana does). */
  rowLimit: number;
  /** Most values (rows × fields) the shaped frame may hold; default rowLimit × WIDE_CELLS_PER_ROW. */
  maxCells?: number;
  /** Grafana's pre-8 naming: (time, metric, value) series are named by the metric value. Off for the builder. */
  metricColumnNaming?: boolean;
}

/** Grafana's epochPrecisionToMS: values of ~1e9 are seconds, ~1e18 nanoseconds, else milliseconds. */
export function epochToMs(v: number): number {
  const exp = Number(v.toExponential().split('e')[1]);
  if (exp === 9) {
    return v * 1e3;
  }
  if (exp === 18) {
    return v / 1e6;
  }
  return v;
}

function convertTimeField(field: WorkField): WorkField {
  if (field.type === 'time') {
    return field;
  }
  if (field.type !== 'number') {
    throw new ApiError(
      'invalid_time_column',
      `failed to convert time column: column "${field.name}" is not a timestamp or a number`
    );
  }
  return {
    ...field,
    type: 'time',
    values: field.values.map((v) => (v === null ? null : Math.trunc(epochToMs(v as number)))),
  };
}

function toFloatField(field: WorkField): WorkField {
  switch (field.type) {
    case 'number':
      return field;
    case 'boolean':
      return { ...field, type: 'number', values: field.values.map((v) => (v === null ? null : v ? 1 : 0)) };
    case 'time':
      return { ...field, type: 'number', values: field.values };
    default:
      throw new ApiError(
        'invalid_value_column',
        `convert value to float failed: column "${field.name}" (${field.type}) is not numeric`
      );
  }
}

export function shapeFrame(fields: WorkField[], opts: ShapeOptions): WorkFrame {
  let frame: WorkFrame = { fields, meta: { executedQueryString: opts.executedQueryString } };
  if (rowCount(frame) === 0) {
    return { fields: [], meta: frame.meta };
  }
  const timeIndex = fields.findIndex((f) => f.name === 'time');
  const timeEndIndex =
    opts.format === 'table' ? fields.findIndex((f, i) => i !== timeIndex && f.name.toLowerCase() === 'timeend') : -1;
  const metricIndex = fields.findIndex((f) => f.name === 'metric');
  if (timeIndex !== -1) {
    fields[timeIndex] = convertTimeField(fields[timeIndex]);
  }
  if (timeEndIndex !== -1) {
    fields[timeEndIndex] = convertTimeField(fields[timeEndIndex]);
  }
  if (opts.format === 'table') {
    return frame;
  }
  if (timeIndex === -1) {
    throw new ApiError(
      'no_time_column',
      "time column is missing; make sure your data includes a time column for time series format or switch to a table format that doesn't require it"
    );
  }
  fields[timeIndex] = { ...fields[timeIndex], name: 'Time' };
  fields.forEach((f, i) => {
    if (i === timeIndex || i === metricIndex || f.type === 'string') {
      return;
    }
    fields[i] = toFloatField(f);
  });
  const fillMissing = opts.fill ? { mode: opts.fill.mode, value: opts.fill.value } : undefined;
  const maxCells = opts.maxCells ?? maxWideCells(opts.rowLimit);
  if (timeSeriesSchema(frame).kind === 'long') {
    const size = wideSize(frame);
    checkWideCells(size.times, size.fields, maxCells);
    const originalFieldCount = frame.fields.length;
    frame = longToWide(frame, fillMissing);
    if (originalFieldCount === 3 && opts.metricColumnNaming !== false) {
      for (const f of frame.fields) {
        if (f.labels && Object.keys(f.labels).length === 1 && 'metric' in f.labels) {
          f.name = f.labels.metric;
          delete f.labels;
        }
      }
    }
  }
  if (opts.fill && fillMissing) {
    frame = applyFill(frame, {
      fill: fillMissing,
      intervalMs: opts.fill.intervalMs,
      from: opts.range.from,
      to: opts.range.to,
      maxPoints: opts.rowLimit,
      maxCells,
    });
  }
  return frame;
}
