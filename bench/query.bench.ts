/**
 * Query engine against the real PostgreSQL, in a scratch database: a 24 h, 1,000-bucket,
 * 5-series avg builder query over 1,000,000 raw rows through the gateway vs the same SQL sent
 * with `pg` directly (p50 ratio), and the size of the answer in bytes per point (readings as
 * float4, plus a double precision copy of them for comparison).
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { GatewayProcess } from 'timescaledb-gateway/testing';
import { createScratchDatabase, median, percentile, startGateway } from './support';

const RAW_ROWS = 1_000_000;
const SERIES = 5;
const BUCKETS = 1000;
const RUNS = 20;
const WARMUP = 3;
const SECRET = randomBytes(16).toString('hex');
// 24 h split into 1,000 buckets of 86.4 s; the range ends just before the next day so no 1,001st bucket starts.
const RANGE = { from: '2025-01-01T00:00:00.000Z', to: '2025-01-01T23:59:59.999Z' };

export async function run(): Promise<string> {
  const scratch = await createScratchDatabase('gw_qbench');
  const direct = new pg.Pool({ connectionString: scratch.url, max: 2 });
  let gateway: GatewayProcess | undefined;
  try {
    // Sensor readings as float4 (`real`), the usual type for them; the same readings as
    // double precision too, to show what a double column costs per point.
    await direct.query(
      `CREATE TABLE readings (time timestamptz NOT NULL, sensor_id text NOT NULL, temperature real, temperature_f8 double precision)`
    );
    const perSeries = RAW_ROWS / SERIES;
    await direct.query(
      `INSERT INTO readings
       SELECT t, sensor, v, v FROM (
         SELECT timestamptz '2025-01-01' + (g * 86400.0 / ${perSeries}) * interval '1 second' AS t, 'sensor_' || s AS sensor, (20 + random() * 5)::real AS v
         FROM generate_series(0, ${perSeries - 1}) g, generate_series(1, ${SERIES}) s) AS r`
    );
    await direct.query(`CREATE INDEX ON readings (time)`);
    await direct.query(`ANALYZE readings`);

    gateway = await startGateway({
      DATABASE_URL: scratch.url,
      GATEWAY_TOKENS: `bench:${SECRET}:read`,
      LOG_LEVEL: 'warn',
    });
    const { url } = gateway;
    const request = (column: string) =>
      JSON.stringify({
        range: RANGE,
        intervalMs: 60_000,
        maxDataPoints: BUCKETS,
        queries: [
          {
            refId: 'A',
            mode: 'builder',
            table: 'readings',
            metrics: [{ column, aggregation: 'avg' }],
            groupBy: ['sensor_id'],
            bucket: '86400ms',
          },
        ],
      });
    const body = request('temperature');
    const post = (payload = body) =>
      fetch(`${url}/api/v1/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
        body: payload,
      });

    const first = await post();
    const firstText = await first.text();
    const answer = JSON.parse(firstText);
    const result = answer.results?.A;
    if (first.status !== 200 || !result || result.error) {
      throw new Error(`query failed: ${first.status} ${firstText.slice(0, 500)}`);
    }
    const frame = result.frames[0];
    const seriesCount = frame.schema.fields.length - 1;
    const bucketCount = frame.data.values[0].length;
    const points = seriesCount * bucketCount;
    const sql: string = result.executedQueryString;

    const gatewayMs: number[] = [];
    const directMs: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS + WARMUP; i++) {
      let t = performance.now();
      const res = await post();
      const text = await res.text();
      const g = performance.now() - t;
      if (res.status !== 200) {
        throw new Error(`query failed: ${res.status}`);
      }
      bytes = Buffer.byteLength(text);
      t = performance.now();
      const r = await direct.query(sql);
      const d = performance.now() - t;
      if (r.rowCount !== points) {
        throw new Error(`direct query returned ${r.rowCount} rows, expected ${points}`);
      }
      if (i >= WARMUP) {
        gatewayMs.push(g);
        directMs.push(d);
      }
    }
    const ratio = median(gatewayMs) / median(directMs);
    const perPoint = bytes / points;
    const f8 = await post(request('temperature_f8'));
    const f8Bytes = Buffer.byteLength(await f8.text());
    if (f8.status !== 200) {
      throw new Error(`double precision query failed: ${f8.status}`);
    }
    const fmt = (n: number) => n.toFixed(1);
    return [
      '## Query engine (builder time series on PostgreSQL vs pg directly)',
      '',
      `Scratch database, ${RAW_ROWS.toLocaleString('en-US')} raw rows over 24 h (${SERIES} sensors, indexed on time); ` +
        `one builder query: avg per 86.4 s bucket, grouped by sensor → ${seriesCount} series × ${bucketCount} buckets. The gateway runs as its own process.`,
      '',
      '| Measure | Gateway | Direct | Ratio / value | Target | Verdict |',
      '|---|---|---|---|---|---|',
      `| p50 of ${RUNS} runs (ms) | ${fmt(median(gatewayMs))} (p90 ${fmt(percentile(gatewayMs, 0.9))}) | ${fmt(median(directMs))} (p90 ${fmt(percentile(directMs, 0.9))}) | ${ratio.toFixed(2)} | ≤ 1.15 | ${ratio <= 1.15 ? 'met' : 'missed'} |`,
      `| Response bytes per point (uncompressed) | ${bytes.toLocaleString('en-US')} B / ${points.toLocaleString('en-US')} points | | ${perPoint.toFixed(1)} | ≤ 20 | ${perPoint <= 20 ? 'met' : 'missed'} |`,
      `| The same query on the double precision copy of the readings (bytes per point, for comparison) | ${f8Bytes.toLocaleString('en-US')} B | | ${(f8Bytes / points).toFixed(1)} | | |`,
      '',
      `Direct = the gateway's executed SQL (date_bin buckets, values inlined) through a pg Pool, rows parsed into objects; ` +
        'gateway = the same SQL in a read-only transaction plus long → wide shaping into one DataFrameJSON frame, JSON encoding and HTTP, body fully read. ' +
        'The readings are `real` (float4): the builder returns avg (median, percentiles) of a real column cast back to real, the precision the readings have ' +
        '(see gateway/src/sql/aggregations.ts), so a value prints in at most 9 significant digits instead of the ~17 of a double; the direct query is that same SQL. ' +
        'A double precision column keeps its full doubles (shortest round-trip form), hence the larger size of the comparison row. The time column is shared by the series.',
    ].join('\n');
  } finally {
    await gateway?.stop();
    await direct.end();
    await scratch.drop();
  }
}
