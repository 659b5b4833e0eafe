import { downsampleIndices } from '../frames/lttb';

/**
 * The gateway's half of raw-series downsampling (the database's half is in sql/builder.ts):
 * rows arrive ordered by time, at most ~2 × cap per series, each with `__n`, its series' full
 * size. Series longer than `cap` are reduced to at most `cap` rows with LTTB on the first
 * metric (`v0`), keeping first, last, minimum and maximum. Other rows pass untouched, in order.
 * Returns the rows kept and whether any series was reduced.
 */
export function downsampleRawSeries(
  rows: Array<Record<string, unknown>>,
  cap: number,
  seriesColumns: readonly string[]
): { rows: Array<Record<string, unknown>>; reduced: boolean } {
  if (!rows.some((r) => Number(r.__n) > cap)) {
    return { rows, reduced: false };
  }
  const series = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const key = JSON.stringify(seriesColumns.map((c) => row[c]));
    const list = series.get(key);
    if (list) {
      list.push(i);
    } else {
      series.set(key, [i]);
    }
  });
  const keep = new Uint8Array(rows.length);
  for (const members of series.values()) {
    if (members.length <= cap) {
      for (const i of members) {
        keep[i] = 1;
      }
      continue;
    }
    const xs = members.map((i) => toNumber(rows[i].time));
    const ys = members.map((i) => toNumber(rows[i].v0));
    for (const k of downsampleIndices(xs, ys, cap)) {
      keep[members[k]] = 1;
    }
  }
  return { rows: rows.filter((_, i) => keep[i] === 1), reduced: true };
}

function toNumber(v: unknown): number {
  if (v === null || v === undefined) {
    return Number.NaN;
  }
  if (v instanceof Date) {
    return v.getTime();
  }
  if (typeof v === 'boolean') {
    return v ? 1 : 0;
  }
  return Number(v);
}
