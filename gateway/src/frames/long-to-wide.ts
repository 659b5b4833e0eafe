import { ApiError } from '../errors';
import type { MacroFill } from '../contract/macros';
import type { WorkField, WorkFrame } from './frame-types';

/**
 * Long → wide the way Grafana's data frames do it: string and boolean columns are factors whose
 * values become labels; every distinct factor combination gets one field per value column; rows
 * are the distinct times (the input must be sorted ascending by time). Missing cells are null, or
 * filled by `fill` (a value, or the previous row of that series).
 */

/** The fill of missing cells: the macro's fill without its interval (long → wide has no grid). */
export type FillMissing = Omit<MacroFill, 'intervalMs'>;

export interface TimeSeriesSchema {
  kind: 'not' | 'long' | 'wide';
  timeIndex: number;
  valueIndices: number[];
  factorIndices: number[];
}

export function timeSeriesSchema(frame: WorkFrame): TimeSeriesSchema {
  const schema: TimeSeriesSchema = { kind: 'not', timeIndex: -1, valueIndices: [], factorIndices: [] };
  schema.timeIndex = frame.fields.findIndex((f) => f.type === 'time');
  if (schema.timeIndex === -1) {
    return schema;
  }
  frame.fields.forEach((f, i) => {
    if (i === schema.timeIndex) {
      return;
    }
    if (f.type === 'string' || f.type === 'boolean') {
      schema.factorIndices.push(i);
    } else {
      schema.valueIndices.push(i);
    }
  });
  if (schema.valueIndices.length === 0) {
    return schema;
  }
  schema.kind = schema.factorIndices.length === 0 ? 'wide' : 'long';
  return schema;
}

export function missingValue(fill: FillMissing | undefined, field: WorkField, previousRow: number): unknown {
  if (!fill || fill.mode === 'null') {
    return null;
  }
  if (fill.mode === 'value') {
    return field.type === 'number' ? fill.value : null;
  }
  return previousRow >= 0 ? (field.values[previousRow] ?? null) : null;
}

/**
 * How large the wide frame of a long one would be (distinct times, fields), measured in one
 * pass before anything is built: misaligned series can make it rows × series cells. Checks the
 * input the way longToWide does (no null times, sorted ascending).
 */
export function wideSize(long: WorkFrame): { times: number; fields: number } {
  const schema = timeSeriesSchema(long);
  if (schema.kind !== 'long') {
    return { times: long.fields[0]?.values.length ?? 0, fields: long.fields.length };
  }
  const time = long.fields[schema.timeIndex].values;
  const keys = new Set<string>();
  let times = 0;
  let lastTime = -Infinity;
  for (let r = 0; r < time.length; r++) {
    const t = time[r];
    if (t === null || t === undefined) {
      throw nullTimes();
    }
    if ((t as number) < lastTime) {
      throw unsorted();
    }
    if ((t as number) > lastTime || r === 0) {
      times++;
    }
    lastTime = t as number;
    keys.add(seriesKey(long, schema.factorIndices, r));
  }
  return { times, fields: 1 + keys.size * schema.valueIndices.length };
}

function nullTimes(): ApiError {
  return new ApiError(
    'null_time_values',
    'unable to process the data to wide series because input has null time values, make sure all time values are not null'
  );
}

function unsorted(): ApiError {
  return new ApiError('series_unsorted', 'long series must be sorted ascending by time to be converted');
}

/**
 * The series row `r` belongs to, as one string: the label text itself for one label column
 * (the usual case, and no JSON to build per row), else the JSON array of the label texts.
 */
function seriesKey(long: WorkFrame, factorIndices: number[], r: number): string {
  if (factorIndices.length === 1) {
    return factorText(long.fields[factorIndices[0]].values[r]);
  }
  return JSON.stringify(factorIndices.map((fi) => factorText(long.fields[fi].values[r])));
}

function factorText(v: unknown): string {
  if (v === null || v === undefined) {
    return '';
  }
  if (typeof v === 'boolean') {
    return v ? 'true' : 'false';
  }
  return String(v);
}

export function longToWide(long: WorkFrame, fill?: FillMissing): WorkFrame {
  const schema = timeSeriesSchema(long);
  if (schema.kind !== 'long') {
    throw new Error(`can not convert to wide series, expected long format series input but got ${schema.kind} series`);
  }
  const timeField = long.fields[schema.timeIndex];
  const n = timeField.values.length;
  const times: number[] = [];
  const wideFields: WorkField[] = [];
  // Per series (its label values), the indices of its wide fields, one per value column.
  const fieldsBySeries = new Map<string, number[]>();
  let row = -1;
  let lastTime = -Infinity;
  for (let r = 0; r < n; r++) {
    const t = timeField.values[r];
    if (t === null || t === undefined) {
      throw nullTimes();
    }
    const time = t as number;
    if (time < lastTime) {
      throw unsorted();
    }
    if (time > lastTime || row === -1) {
      row++;
      lastTime = time;
      times.push(time);
      for (const f of wideFields) {
        f.values.push(missingValue(fill, f, row - 1));
      }
    }
    const key = seriesKey(long, schema.factorIndices, r);
    let series = fieldsBySeries.get(key);
    if (series === undefined) {
      // A series seen for the first time: one wide field per value column, with its labels.
      const labels: Record<string, string> = {};
      for (const fi of schema.factorIndices) {
        labels[long.fields[fi].name] = factorText(long.fields[fi].values[r]);
      }
      series = schema.valueIndices.map((vi) => {
        const source = long.fields[vi];
        const created: WorkField = { name: source.name, type: source.type, labels: { ...labels }, values: [] };
        const filler = missingValue(fill, created, row - 1);
        for (let k = 0; k < row; k++) {
          created.values.push(filler);
        }
        created.values.push(null);
        return wideFields.push(created) - 1;
      });
      fieldsBySeries.set(key, series);
    }
    for (let v = 0; v < series.length; v++) {
      wideFields[series[v]].values[row] = long.fields[schema.valueIndices[v]].values[r];
    }
  }
  const factorNames = schema.factorIndices.map((i) => long.fields[i].name);
  sortWideFields(wideFields, factorNames);
  return {
    fields: [{ name: timeField.name, type: 'time', values: times }, ...wideFields],
    meta: { ...long.meta, type: 'timeseries-wide', typeVersion: [0, 1] },
  };
}

/** Grafana's SortWideFrameFields: by name, then by the label values in factor order. */
function sortWideFields(fields: WorkField[], keys: string[]): void {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  fields.sort((a, b) => {
    const byName = cmp(a.name, b.name);
    if (byName !== 0) {
      return byName;
    }
    for (const k of keys) {
      const c = cmp(a.labels?.[k] ?? '', b.labels?.[k] ?? '');
      if (c !== 0) {
        return c;
      }
    }
    return 0;
  });
}
