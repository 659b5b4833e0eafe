/**
 * Reads the demo table `sensor_data` through `GET /timescaledb/data/sensor_data` and groups the
 * rows into one series per sensor. The time column's name comes from the catalog, so the pages
 * follow the table rather than a name written here.
 */
export const TABLE = 'sensor_data';

/** Rows asked for at most; a longer range is read as time buckets instead (see bucketFor). */
const ROW_LIMIT = 20000;
/** Points per sensor a chart should not go past: raw readings come every 10 s. */
const MAX_POINTS_PER_SENSOR = 720;
const READING_INTERVAL_MS = 10_000;
const BUCKETS = [
  ['1m', 60_000],
  ['5m', 300_000],
  ['15m', 900_000],
  ['30m', 1_800_000],
  ['1h', 3_600_000],
  ['6h', 21_600_000],
  ['1d', 86_400_000],
];

export const RANGES = [
  { label: '1 h', ms: 3_600_000 },
  { label: '6 h', ms: 21_600_000 },
  { label: '24 h', ms: 86_400_000 },
  { label: '7 d', ms: 604_800_000 },
];

/** null (raw rows) when a range holds few enough readings, else the smallest bucket that fits. */
export function bucketFor(spanMs) {
  if (spanMs / READING_INTERVAL_MS <= MAX_POINTS_PER_SENSOR) {
    return null;
  }
  const fit = BUCKETS.find(([, ms]) => spanMs / ms <= MAX_POINTS_PER_SENSOR);
  return (fit ?? BUCKETS[BUCKETS.length - 1])[0];
}

/** The request path for a range: no token in it, so the page can show it. */
export function seriesPath(timeColumn, from, to) {
  const params = new URLSearchParams({
    from: from.toISOString(),
    to: to.toISOString(),
    columns: `${timeColumn},sensor_id,temperature`,
    order: `${timeColumn}.asc`,
    limit: String(ROW_LIMIT),
  });
  const bucket = bucketFor(to.getTime() - from.getTime());
  if (bucket) {
    params.set('bucket', bucket);
    params.set('agg', 'avg');
  }
  return `/timescaledb/data/${TABLE}?${params}`;
}

/**
 * Loads [from, to] → { path, timeColumn, bucket, truncated, series: [{ sensor, x: Date[], y: number[] }] },
 * sensors in name order, each series in time order.
 */
export async function loadSensorSeries(client, from, to) {
  const { timeColumn } = await client.columns(TABLE);
  if (!timeColumn) {
    throw new Error(`${TABLE} has no time column`);
  }
  const path = seriesPath(timeColumn, from, to);
  const rows = await client.get(path);
  const bySensor = new Map();
  for (const row of rows) {
    let series = bySensor.get(row.sensor_id);
    if (!series) {
      bySensor.set(row.sensor_id, (series = { sensor: row.sensor_id, x: [], y: [] }));
    }
    series.x.push(new Date(row[timeColumn]));
    series.y.push(row.temperature);
  }
  const series = [...bySensor.values()].sort((a, b) => a.sensor.localeCompare(b.sensor, 'en', { numeric: true }));
  return {
    path,
    timeColumn,
    bucket: bucketFor(to.getTime() - from.getTime()),
    truncated: rows.length >= ROW_LIMIT,
    series,
  };
}
