/**
 * REST data API against the real PostgreSQL, in a scratch database:
 * (a) GET of 10,000 rows through the gateway vs the same SELECT through `pg` directly (p50);
 * (b) POST of 100,000 rows as one JSON array vs raw `COPY FROM STDIN` of the same rows (rows/s).
 */
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import type { GatewayProcess } from 'timescaledb-gateway/testing';
import {
  createScratchDatabase,
  gatewayBeforeDeletionOf,
  median,
  percentile,
  startGateway,
  startGatewayAt,
} from './support';

const GET_ROWS = 10_000;
const POST_ROWS = 100_000;
const GET_RUNS = 40;
const POST_RUNS = 9;
const SECRET = randomBytes(16).toString('hex');

const TABLE_SQL = `(time timestamptz NOT NULL, sensor_id text NOT NULL, temperature real, humidity real)`;
const SELECT_SQL = `SELECT * FROM "public"."readings" ORDER BY "time" DESC LIMIT ${GET_ROWS} OFFSET 0`;

interface Row {
  time: string;
  sensor_id: string;
  temperature: number;
  humidity: number;
}

function makeRows(n: number): Row[] {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  return Array.from({ length: n }, (_, i) => ({
    time: new Date(t0 + i * 1000).toISOString(),
    sensor_id: `sensor_${i % 5}`,
    temperature: Math.round((20 + Math.sin(i / 500) * 4) * 100) / 100,
    humidity: Math.round((50 + Math.cos(i / 700) * 8) * 100) / 100,
  }));
}

export async function run(): Promise<string> {
  const scratch = await createScratchDatabase('gw_bench');
  const direct = new pg.Pool({ connectionString: scratch.url, max: 2 });
  // Clients still closing when the scratch database is dropped (WITH FORCE) report it: expected.
  direct.on('error', () => undefined);
  let gateway: GatewayProcess | undefined;
  /** The byte-level JSON→CSV transcoder the row path replaced, measured beside it. */
  let transcoderGateway: GatewayProcess | undefined;
  const transcoderEntry = gatewayBeforeDeletionOf('gateway/src/rest/json-rows-to-csv.ts');
  try {
    await direct.query(`CREATE TABLE readings ${TABLE_SQL}`);
    await direct.query(`CREATE TABLE ingest ${TABLE_SQL}`);
    await direct.query(
      `INSERT INTO readings SELECT timestamptz '2025-01-01' + g * interval '1 second', 'sensor_' || g % 5, 20 + random() * 5, 50 + random() * 10 FROM generate_series(1, ${GET_ROWS}) g`
    );

    // The gateway runs as its own process, as deployed; this process is only its client.
    gateway = await startGateway({
      DATABASE_URL: scratch.url,
      GATEWAY_TOKENS: `bench:${SECRET}:read,write`,
      LOG_LEVEL: 'warn',
      BODY_LIMIT: String(256 * 1024 * 1024),
    });
    if (transcoderEntry) {
      transcoderGateway = await startGatewayAt(transcoderEntry, {
        DATABASE_URL: scratch.url,
        GATEWAY_TOKENS: `bench:${SECRET}:read,write`,
        LOG_LEVEL: 'warn',
        BODY_LIMIT: String(256 * 1024 * 1024),
      });
    }
    const base = gateway.url;
    const headers = { authorization: `Bearer ${SECRET}` };

    // (a) GET 10,000 rows: the client waits for the whole body in both cases.
    const getUrl = `${base}/timescaledb/data/readings?limit=${GET_ROWS}&order=time.desc`;
    const gatewayMs: number[] = [];
    const directMs: number[] = [];
    for (let i = 0; i < GET_RUNS + 5; i++) {
      let t = performance.now();
      const res = await fetch(getUrl, { headers });
      const body = await res.text();
      const g = performance.now() - t;
      if (res.status !== 200 || body.length < GET_ROWS * 20) {
        throw new Error(`GET failed: ${res.status}`);
      }
      t = performance.now();
      const r = await direct.query(SELECT_SQL);
      const d = performance.now() - t;
      if (r.rowCount !== GET_ROWS) {
        throw new Error('direct SELECT returned too few rows');
      }
      if (i >= 5) {
        gatewayMs.push(g);
        directMs.push(d);
      }
    }
    const getRatio = median(gatewayMs) / median(directMs);

    // (b) POST 100,000 rows as one JSON array vs COPY of the same rows as CSV.
    const rows = makeRows(POST_ROWS);
    const json = JSON.stringify(rows);
    const csv = rows.map((r) => `${r.time},${r.sensor_id},${r.temperature},${r.humidity}\n`).join('');
    const postRate: number[] = [];
    const transcoderRate: number[] = [];
    const copyRate: number[] = [];
    const post = async (url: string): Promise<number> => {
      await direct.query('TRUNCATE ingest');
      const t = performance.now();
      const res = await fetch(`${url}/timescaledb/data/ingest`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: json,
      });
      const body = (await res.json()) as { inserted?: number };
      const postS = (performance.now() - t) / 1000;
      if (res.status !== 201 || body.inserted !== POST_ROWS) {
        throw new Error(`POST failed: ${res.status} ${JSON.stringify(body)}`);
      }
      return POST_ROWS / postS;
    };
    for (let i = 0; i < POST_RUNS; i++) {
      // Alternate which path goes first, so neither gains from the other's warm caches.
      if (i % 2 === 0) {
        postRate.push(await post(base));
      }
      if (transcoderGateway) {
        transcoderRate.push(await post(transcoderGateway.url));
      }
      if (i % 2 === 1) {
        postRate.push(await post(base));
      }
      await direct.query('TRUNCATE ingest');
      const client = await direct.connect();
      try {
        const t = performance.now();
        const sink = client.query(
          copyFrom(`COPY ingest (time, sensor_id, temperature, humidity) FROM STDIN WITH (FORMAT csv)`)
        );
        await pipeline(Readable.from([csv]), sink);
        copyRate.push(POST_ROWS / ((performance.now() - t) / 1000));
        if (sink.rowCount !== POST_ROWS) {
          throw new Error('COPY copied too few rows');
        }
      } finally {
        client.release();
      }
    }
    const transcoderRatio = transcoderRate.length ? median(transcoderRate) / median(copyRate) : NaN;
    const postRatio = median(postRate) / median(copyRate);
    const fmt = (n: number) => n.toFixed(1);
    const rate = (n: number) => Math.round(n).toLocaleString('en-US');

    return [
      '## REST data API (gateway on PostgreSQL vs pg directly)',
      '',
      `Scratch database on the same server; the gateway runs as its own process (pg driver, COPY path for large POSTs), the benchmark is its HTTP client on 127.0.0.1.`,
      '',
      '| Measure | Gateway | Direct | Ratio | Target | Verdict |',
      '|---|---|---|---|---|---|',
      `| (a) GET ${rate(GET_ROWS)} rows, p50 of ${GET_RUNS} (ms) | ${fmt(median(gatewayMs))} (p90 ${fmt(percentile(gatewayMs, 0.9))}) | ${fmt(median(directMs))} (p90 ${fmt(percentile(directMs, 0.9))}) | ${getRatio.toFixed(2)} | ≤ 1.5 | ${getRatio <= 1.5 ? 'met' : 'missed'} |`,
      `| (b) POST ${rate(POST_ROWS)} rows as a JSON array vs COPY, median of ${POST_RUNS} (rows/s) | ${rate(median(postRate))} | ${rate(median(copyRate))} | ${postRatio.toFixed(2)} | ≥ 0.5 | ${postRatio >= 0.5 ? 'met' : 'missed'} |`,
      transcoderGateway
        ? `| (b') the same POST through the removed JSON→CSV byte transcoder (for comparison) | ${rate(median(transcoderRate))} | ${rate(median(copyRate))} | ${transcoderRatio.toFixed(2)} | — | ${transcoderRatio > postRatio ? 'faster than (b)' : 'not faster than (b)'} |`
        : `| (b') the removed JSON→CSV byte transcoder | — | — | — | — | not in this checkout's history |`,
      '',
      `Direct GET = \`${SELECT_SQL}\` through a pg Pool (rows parsed into objects); gateway GET = the same SELECT plus JSON encoding and HTTP, body fully read by the client ` +
        `(the gateway encodes the rows from PostgreSQL's text form, byte for byte the JSON of the parsed rows). ` +
        `POST time runs from sending the ${(json.length / 2 ** 20).toFixed(1)} MiB body to the 201 answer (every row checked against the column types, COPY, commit). ` +
        `The gateway reads the body as it arrives and starts COPY after the first rows: each segment is parsed (native JSON.parse), its rows coerced by column type and encoded as CSV, ` +
        `while the rest of the body is still coming and PostgreSQL ingests the previous segments, all in one transaction that rolls back on a bad row. ` +
        `(b') runs the gateway's sources from just before the byte-level JSON→CSV transcoder was removed (unpacked from git history), on the same rows, alternating with (b). ` +
        `COPY sends the same rows as one CSV text. ` +
        'Both sides share the 2 cores with the database server (and with whatever else runs on the machine: load average ' +
        `${loadavg()[0].toFixed(1)} at the end of this run), so figures move by ±0.1 in the ratios from run to run.`,
    ].join('\n');
  } finally {
    await gateway?.stop();
    await transcoderGateway?.stop();
    await direct.end();
    await scratch.drop();
  }
}
