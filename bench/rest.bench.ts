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
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../gateway/src/main.ts', import.meta.url));

const SERVER_URL = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
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

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];
const median = (xs: number[]) => percentile(xs, 0.5);

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: SERVER_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function run(): Promise<string> {
  const dbName = `gw_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${dbName}"`));
  const url = new URL(SERVER_URL);
  url.pathname = `/${dbName}`;
  const direct = new pg.Pool({ connectionString: url.toString(), max: 2 });
  // Clients still closing when the scratch database is dropped (WITH FORCE) report it: expected.
  direct.on('error', () => undefined);
  let gateway: ChildProcess | undefined;
  try {
    await direct.query(`CREATE TABLE readings ${TABLE_SQL}`);
    await direct.query(`CREATE TABLE ingest ${TABLE_SQL}`);
    await direct.query(`INSERT INTO readings SELECT timestamptz '2025-01-01' + g * interval '1 second', 'sensor_' || g % 5, 20 + random() * 5, 50 + random() * 10 FROM generate_series(1, ${GET_ROWS}) g`);

    // The gateway runs as its own process, as deployed; this process is only its client.
    const started = await startGateway({ DATABASE_URL: url.toString(), GATEWAY_TOKENS: `bench:${SECRET}:read,write`, LOG_LEVEL: 'warn', BODY_LIMIT: String(256 * 1024 * 1024) });
    gateway = started.child;
    const base = started.url;
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
      if (res.status !== 200 || body.length < GET_ROWS * 20) throw new Error(`GET failed: ${res.status}`);
      t = performance.now();
      const r = await direct.query(SELECT_SQL);
      const d = performance.now() - t;
      if (r.rowCount !== GET_ROWS) throw new Error('direct SELECT returned too few rows');
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
    const copyRate: number[] = [];
    for (let i = 0; i < POST_RUNS; i++) {
      await direct.query('TRUNCATE ingest');
      let t = performance.now();
      const res = await fetch(`${base}/timescaledb/data/ingest`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: json });
      const body = (await res.json()) as { inserted?: number };
      const postS = (performance.now() - t) / 1000;
      if (res.status !== 201 || body.inserted !== POST_ROWS) throw new Error(`POST failed: ${res.status} ${JSON.stringify(body)}`);
      await direct.query('TRUNCATE ingest');
      const client = await direct.connect();
      try {
        t = performance.now();
        const sink = client.query(copyFrom(`COPY ingest (time, sensor_id, temperature, humidity) FROM STDIN WITH (FORMAT csv)`));
        await pipeline(Readable.from([csv]), sink);
        copyRate.push(POST_ROWS / ((performance.now() - t) / 1000));
        if (sink.rowCount !== POST_ROWS) throw new Error('COPY copied too few rows');
      } finally {
        client.release();
      }
      postRate.push(POST_ROWS / postS);
    }
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
      '',
      `Direct GET = \`${SELECT_SQL}\` through a pg Pool (rows parsed into objects); gateway GET = the same SELECT plus JSON encoding and HTTP, body fully read by the client ` +
        `(the gateway encodes the rows from PostgreSQL's text form, byte for byte the JSON of the parsed rows). ` +
        `POST time runs from sending the ${(json.length / 2 ** 20).toFixed(1)} MiB body to the 201 answer (every row checked against the column types, COPY, commit). ` +
        `The gateway reads the body as it arrives and starts COPY after the first rows: each segment of plain rows goes from JSON bytes straight to CSV ` +
        `(rows that are not plain are parsed and coerced one by one), while the rest of the body is still coming and PostgreSQL ingests the previous segments, ` +
        `all in one transaction that rolls back on a bad row. COPY sends the same rows as one CSV text. ` +
        'Both sides share the 2 cores with the database server (and with whatever else runs on the machine: load average ' +
        `${loadavg()[0].toFixed(1)} at the end of this run), so figures move by ±0.1 in the ratios from run to run.`,
    ].join('\n');
  } finally {
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((resolve) => gateway!.once('exit', resolve));
      gateway.kill('SIGTERM');
      await exited;
    }
    await direct.end();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
  }
}

function startGateway(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    child.stdout!.on('data', (d) => {
      out += d;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        child.removeAllListeners('exit');
        resolve({ child, url });
      }
    });
  });
}
