import { bucketFor, TABLE } from './sensor-series.js';

/**
 * Keeps the per-sensor series of sensor-series.js up to date from `POST /api/v1/stream`:
 * the stream body that asks for the same read as the page's REST request, the cursor to start
 * it from, and the merge of its `frame` events into the series.
 */
const REF_ID = 'sensors';

/** A range is followed live when it ends at now (within this): a zoom into the past is not. */
const NOW_SLACK_MS = 15_000;

export const endsNow = (to) => Date.now() - to.getTime() <= NOW_SLACK_MS;

/**
 * The builder query that reads what seriesPath reads: raw temperatures, or the same bucket
 * width with avg (the REST API and the query engine bucket alike). `table` format keeps one
 * row per reading and sensor, as the REST rows; `noPointCap` keeps the page's own bucket.
 */
export function liveRequest(timeColumn, from, to) {
  const bucket = bucketFor(to.getTime() - from.getTime());
  return {
    range: { from: from.toISOString(), to: to.toISOString() },
    queries: [
      {
        refId: REF_ID,
        mode: 'builder',
        format: 'table',
        table: TABLE,
        timeColumn,
        metrics: [{ column: 'temperature', aggregation: bucket ? 'avg' : 'none', alias: 'temperature' }],
        groupBy: ['sensor_id'],
        ...(bucket ? { bucket } : {}),
        noPointCap: true,
      },
    ],
  };
}

/**
 * Where the stream starts: the newest time the REST answer holds (epoch ms). The gateway then
 * re-sends a few buckets before it, which replace the page's points from there on, so a row
 * written between the two requests is neither missed nor drawn twice. Null (the whole window)
 * when the answer was empty.
 */
export function cursorOf(series) {
  const newest = Math.max(...series.map((s) => (s.x.length ? s.x[s.x.length - 1].getTime() : -Infinity)));
  return Number.isFinite(newest) ? String(Math.max(0, Math.floor(newest))) : null;
}

/**
 * Applies one `frame` event: each sensor's points at or after `from` (all when null) are
 * replaced by the event's rows. Returns the new series (sensors in the order they had, new
 * ones after) and `appended`: per sensor the points that only extend it, or null when a point
 * already drawn changed or went (a bucket's average moved, a window with no rows for a sensor),
 * and the chart must be drawn again.
 */
export function mergeFrame(series, event) {
  const incoming = rowsBySensor(event.frames ?? []);
  const next = [];
  let appended = new Map();
  for (const s of series) {
    const keep = event.from === null ? 0 : countBefore(s.x, event.from);
    const fresh = incoming.get(s.sensor) ?? { x: [], y: [] };
    incoming.delete(s.sensor);
    const merged = { sensor: s.sensor, x: s.x.slice(0, keep).concat(fresh.x), y: s.y.slice(0, keep).concat(fresh.y) };
    if (merged.x.length) {
      next.push(merged);
    }
    const replaced = s.x.length - keep;
    if (appended && samePoints(s, keep, fresh, replaced) && merged.x.length) {
      if (fresh.x.length > replaced) {
        appended.set(s.sensor, { x: fresh.x.slice(replaced), y: fresh.y.slice(replaced) });
      }
    } else {
      appended = null;
    }
  }
  for (const [sensor, fresh] of incoming) {
    next.push({ sensor, ...fresh });
    appended?.set(sensor, fresh);
  }
  return { series: next, appended };
}

/**
 * Drops points older than `t` (epoch ms), so a page left open keeps about two windows of
 * points instead of growing for ever. Returns null when nothing was old enough.
 */
export function dropBefore(series, t) {
  if (!series.some((s) => s.x.length && s.x[0].getTime() < t)) {
    return null;
  }
  return series
    .map((s) => {
      const keep = s.x.findIndex((time) => time.getTime() >= t);
      return keep < 0 ? null : { sensor: s.sensor, x: s.x.slice(keep), y: s.y.slice(keep) };
    })
    .filter((s) => s !== null);
}

/** The rows of a `table` frame (time, sensor_id, temperature) grouped per sensor, in time order. */
function rowsBySensor(frames) {
  const bySensor = new Map();
  for (const frame of frames) {
    const fields = frame.schema.fields;
    // An answer without rows comes with no fields at all.
    const columns = ['time', 'sensor_id', 'temperature'].map((name) =>
      fields.findIndex((f) => (name === 'time' ? f.type === 'time' : f.name === name))
    );
    if (columns.includes(-1)) {
      continue;
    }
    const [times, sensors, values] = columns.map((i) => frame.data.values[i]);
    for (let i = 0; i < times.length; i++) {
      let series = bySensor.get(sensors[i]);
      if (!series) {
        bySensor.set(sensors[i], (series = { x: [], y: [] }));
      }
      series.x.push(new Date(times[i]));
      series.y.push(values[i]);
    }
  }
  return bySensor;
}

/** Points of a time-ordered series before `t`: the tail is short, so count from the end. */
function countBefore(x, t) {
  let i = x.length;
  while (i > 0 && x[i - 1].getTime() >= t) {
    i--;
  }
  return i;
}

/** Whether the `count` points of `s` from `start` are the first points of `fresh`, unchanged. */
function samePoints(s, start, fresh, count) {
  if (fresh.x.length < count) {
    return false;
  }
  for (let i = 0; i < count; i++) {
    if (s.x[start + i].getTime() !== fresh.x[i].getTime() || s.y[start + i] !== fresh.y[i]) {
      return false;
    }
  }
  return true;
}
