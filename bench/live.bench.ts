/**
 * Live panels against the real PostgreSQL, the gateway as its own process, the streams read
 * through the harness's stand-in of Grafana's data proxy (the plugin.json route, unbuffered
 * text/event-stream), as a browser's panel reads them:
 * (a) latency from a row's COMMIT to its point arriving on the stream, at 10 rows/s for 20 s,
 *     p50 / p99, for rows POSTed through the gateway (in-process hint) and rows INSERTed by
 *     another client (the statement trigger's NOTIFY);
 * (b) gateway CPU (user + system, from /proc) over 15 s of 10 rows/s with 50 open live panels
 *     over 5 distinct queries, against 5 panels over the same 5 queries: each distinct query is
 *     re-run once per change, so the two should be close.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import type { GatewayProcess } from 'timescaledb-gateway/testing';
import { forwardThroughDataProxy } from '../e2e/harness/server/dataProxy';
import type { PluginRoute } from '../e2e/harness/server/pluginRoutes';
import { createScratchDatabase, median, pacedWrites, percentile, sleep, startGateway } from './support';

const here = dirname(fileURLToPath(import.meta.url));
const routes = (JSON.parse(readFileSync(join(here, '..', 'src', 'plugin.json'), 'utf8')) as { routes: PluginRoute[] })
  .routes;
const SECRET = randomBytes(16).toString('hex');
const WRITER = randomBytes(16).toString('hex');
const RATE = 10;
const LATENCY_SECONDS = Number(process.env.LIVE_BENCH_SECONDS) || 20;
const CPU_SECONDS = Number(process.env.LIVE_BENCH_SECONDS) || 15;
const SENSORS = 5;

/** CPU seconds the process has used (utime + stime of /proc/<pid>/stat, in clock ticks of 1/100 s). */
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

interface LiveReader {
  arrivals: Map<number, number>;
  close(): void;
}

/** One live panel: a stream through the data proxy stand-in, every value seen with its arrival time. */
async function openPanel(gatewayUrl: string, sensor: number, first: () => void): Promise<LiveReader> {
  const now = Date.now();
  const body = JSON.stringify({
    range: { from: String(now - 5 * 60_000), to: String(now) },
    intervalMs: 1000,
    maxDataPoints: 5000,
    queries: [
      {
        refId: 'A',
        mode: 'builder',
        table: 'live_bench',
        metrics: [{ column: 'value', aggregation: 'none' }],
        filters: [{ column: 'sensor', op: '=', value: `s${sensor}` }],
      },
    ],
  });
  const abort = new AbortController();
  const answer = await forwardThroughDataProxy(
    { uid: 'bench', jsonData: { url: gatewayUrl }, secureJsonData: { token: SECRET } },
    {
      method: 'POST',
      proxyPath: 'gateway/api/v1/stream',
      search: '',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      body: Buffer.from(body),
      signal: abort.signal,
    },
    { routes, datasource: () => undefined }
  );
  if (answer.status !== 200) {
    throw new Error(`stream refused: ${answer.status}`);
  }
  const arrivals = new Map<number, number>();
  let buffer = '';
  let seenFirst = false;
  (answer.body as Readable).setEncoding('utf8');
  (answer.body as Readable).on('data', (chunk: string) => {
    const at = performance.now();
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!block.startsWith('event: frame') || !data) {
        continue;
      }
      if (!seenFirst) {
        seenFirst = true;
        first();
      }
      const event = JSON.parse(data) as {
        frames: Array<{ schema: { fields: Array<{ name: string }> }; data: { values: unknown[][] } }>;
      };
      for (const f of event.frames) {
        const i = f.schema.fields.findIndex((x) => x.name === 'value');
        for (const v of (f.data.values[i] ?? []) as number[]) {
          if (!arrivals.has(v)) {
            arrivals.set(v, at);
          }
        }
      }
    }
  });
  (answer.body as Readable).on('error', () => undefined);
  return { arrivals, close: () => abort.abort() };
}

async function openPanels(gatewayUrl: string, count: number): Promise<LiveReader[]> {
  const readers: LiveReader[] = [];
  for (let i = 0; i < count; i++) {
    let ready!: () => void;
    const first = new Promise<void>((r) => (ready = r));
    readers.push(await openPanel(gatewayUrl, i % SENSORS, ready));
    await first;
  }
  return readers;
}

/** Writes RATE rows/s for `seconds`; each value is unique and remembered with its commit time. */
async function write(
  seconds: number,
  insert: (sensor: number, value: number) => Promise<void>
): Promise<Map<number, number>> {
  const values = Array.from({ length: seconds * RATE }, (_, n) => 1_000_000 + n + Math.random() / 2);
  const times = await pacedWrites(values.length, RATE, (n) => insert(n % SENSORS, values[n]));
  return new Map(values.map((v, n) => [v, times[n]]));
}

function latencies(committed: Map<number, number>, readers: LiveReader[]): { ms: number[]; missing: number } {
  const ms: number[] = [];
  let missing = 0;
  for (const [value, at] of committed) {
    const arrival = readers.map((r) => r.arrivals.get(value)).find((a) => a !== undefined);
    if (arrival === undefined) {
      missing++;
      console.log(`live bench: value ${value} (row ${Math.floor(value - 1_000_000)}) never arrived`);
    } else {
      ms.push(arrival - at);
    }
  }
  return { ms, missing };
}

export async function run(): Promise<string> {
  const scratch = await createScratchDatabase('live_bench');
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  let gateway: GatewayProcess | undefined;
  try {
    await client.query(
      `CREATE TABLE live_bench (time timestamptz NOT NULL, sensor text NOT NULL, value double precision)`
    );
    await client.query(`SELECT create_hypertable('live_bench', 'time')`).catch(() => undefined);
    gateway = await startGateway({
      DATABASE_URL: scratch.url,
      GATEWAY_TOKENS: `grafana:${SECRET}:read;writer:${WRITER}:write`,
      LIVE_MAX_STREAMS_PER_TOKEN: '100',
      PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
      LOG_LEVEL: 'warn',
    });
    const url = gateway.url;
    const viaRest = (sensor: number, value: number) =>
      fetch(`${url}/timescaledb/data/live_bench`, {
        method: 'POST',
        headers: { authorization: `Bearer ${WRITER}`, 'content-type': 'application/json' },
        body: JSON.stringify({ time: new Date().toISOString(), sensor: `s${sensor}`, value }),
      }).then(async (r) => {
        if (r.status !== 201) {
          throw new Error(`POST: ${r.status} ${await r.text()}`);
        }
      });
    const viaSql = async (sensor: number, value: number) =>
      void (await client.query(`INSERT INTO live_bench VALUES (now(), $1, $2)`, [`s${sensor}`, value]));

    // (a) latency, one panel per sensor
    const panels = await openPanels(url, SENSORS);
    const load = loadavg()[0];
    // Rows still on their way when the writing stops get a moment to arrive.
    const restCommits = await write(LATENCY_SECONDS, viaRest);
    await sleep(2000);
    const rest = latencies(restCommits, panels);
    const sqlCommits = await write(LATENCY_SECONDS, viaSql);
    await sleep(2000);
    const sql = latencies(sqlCommits, panels);
    for (const p of panels) {
      p.close();
    }
    await sleep(500);

    // (b) CPU: 5 panels, then 50 panels, over the same 5 distinct queries
    const cpu = async (count: number) => {
      const readers = await openPanels(url, count);
      await sleep(1000);
      const before = cpuSeconds(gateway!.child.pid!);
      await write(CPU_SECONDS, viaRest);
      await sleep(1000);
      const used = cpuSeconds(gateway!.child.pid!) - before;
      for (const r of readers) {
        r.close();
      }
      await sleep(500);
      return used;
    };
    const cpu5 = await cpu(5);
    const cpu50 = await cpu(50);
    const row = (name: string, l: { ms: number[]; missing: number }) =>
      `| ${name} | ${l.ms.length} | ${l.missing} | ${median(l.ms).toFixed(0)} | ${percentile(l.ms, 0.99).toFixed(0)} |`;
    return [
      '## Live panels (`bench/live.bench.ts`)',
      '',
      `Real PostgreSQL, the gateway as its own process, streams read through the data proxy stand-in. Load average at start: ${load.toFixed(2)}.`,
      '',
      `Latency commit → point on the stream, ${RATE} rows/s for ${LATENCY_SECONDS} s, ${SENSORS} live panels:`,
      '',
      '| written by | rows seen | missing | p50 ms | p99 ms |',
      '|---|---|---|---|---|',
      row('REST POST (in-process hint)', rest),
      row('another client, INSERT (trigger NOTIFY)', sql),
      '',
      `Gateway CPU over ${CPU_SECONDS} s at ${RATE} rows/s (5 distinct live queries):`,
      '',
      '| open live panels | gateway CPU s | per second of writing |',
      '|---|---|---|',
      `| 5 | ${cpu5.toFixed(2)} | ${(cpu5 / CPU_SECONDS).toFixed(3)} |`,
      `| 50 | ${cpu50.toFixed(2)} | ${(cpu50 / CPU_SECONDS).toFixed(3)} |`,
      '',
      `50 panels cost ${(cpu50 / Math.max(cpu5, 0.01)).toFixed(2)}× the CPU of 5 (one run per distinct query per change; the rest is sending the same delta to more sockets).`,
    ].join('\n');
  } finally {
    await gateway?.stop();
    await client.end().catch(() => undefined);
    await scratch.drop();
  }
}
