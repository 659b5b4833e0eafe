/**
 * Load on one gateway process (pg driver, scratch database on the local server):
 * (a) peak single-row GET throughput at 10 and 50 connections (autocannon, keep-alive);
 * (b) a 60 s mixed soak at 32 connections — single-row GET, 100-row GET, builder query,
 *     small POST and 5 % deliberately bad requests — with req/s and p50/p99 per kind, the
 *     5xx count (must be 0) and the gateway's RSS at the start and the end.
 * The load generator runs in this process, on the same 2 cores as the gateway and PostgreSQL.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import type { GatewayProcess } from 'timescaledb-gateway/testing';
import { createScratchDatabase, percentile, startGateway } from './support';
import { memoryByPart, sampleMemory } from './memory-samples';

const SECRET = randomBytes(16).toString('hex');
const SOAK_S = Number(process.env.BENCH_SOAK_S ?? 60);
const PEAK_S = Number(process.env.BENCH_PEAK_S ?? 15);
const SOAK_CONNECTIONS = 32;
const GOAL_RPS = 5000;

const rssMb = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

interface Kind {
  name: string;
  weight: number;
  method: 'GET' | 'POST';
  path: string | (() => string);
  body?: () => string;
  /** The status a correct answer has. */
  expect: number;
}

let postSeq = 0;
const smallPost = () => {
  const base = Date.parse('2026-01-01T00:00:00Z') + postSeq++ * 10_000;
  return JSON.stringify(
    Array.from({ length: 5 }, (_, i) => ({
      time: new Date(base + i).toISOString(),
      sensor_id: `sensor_${i}`,
      temperature: 20 + i,
      humidity: 50,
    }))
  );
};

const builderBody = JSON.stringify({
  range: { from: '2025-01-01T12:00:00Z', to: '2025-01-01T13:00:00Z' },
  intervalMs: 60_000,
  maxDataPoints: 100,
  queries: [
    {
      refId: 'A',
      mode: 'builder',
      format: 'time_series',
      table: 'readings',
      metrics: [{ column: 'temperature', aggregation: 'avg' }],
      groupBy: ['sensor_id'],
      bucket: 'auto',
      fill: 'none',
    },
  ],
});

const KINDS: Kind[] = [
  { name: 'single-row GET', weight: 40, method: 'GET', path: '/timescaledb/data/readings?limit=1', expect: 200 },
  {
    name: '100-row GET',
    weight: 20,
    method: 'GET',
    path: '/timescaledb/data/readings?limit=100&sensor_id=eq.sensor_2',
    expect: 200,
  },
  { name: 'builder query', weight: 15, method: 'POST', path: '/api/v1/query', body: () => builderBody, expect: 200 },
  { name: 'small POST', weight: 20, method: 'POST', path: '/timescaledb/data/ingest', body: smallPost, expect: 201 },
  { name: 'bad: unknown column', weight: 2, method: 'GET', path: '/timescaledb/data/readings?nope=eq.1', expect: 400 },
  {
    name: 'bad: value',
    weight: 2,
    method: 'POST',
    path: '/timescaledb/data/ingest',
    body: () => '[{"time":"yesterday","temperature":"hot"}]',
    expect: 400,
  },
  { name: 'bad: unknown table', weight: 1, method: 'GET', path: '/timescaledb/data/no_such_table', expect: 404 },
];

function pickKind(): Kind {
  let r = Math.random() * 100;
  for (const k of KINDS) {
    if ((r -= k.weight) < 0) {
      return k;
    }
  }
  return KINDS[0];
}

/** A closed loop of `connections` keep-alive clients for `seconds`: per kind, latencies and statuses. */
async function soak(base: URL, connections: number, seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const stats = new Map(KINDS.map((k) => [k.name, { ms: [] as number[], wrong: 0, fivexx: 0 }]));
  const end = performance.now() + seconds * 1000;
  const one = (kind: Kind) =>
    new Promise<number>((resolve, reject) => {
      const body = kind.body?.();
      const req = http.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method: kind.method,
          path: typeof kind.path === 'string' ? kind.path : kind.path(),
          headers: { authorization: `Bearer ${SECRET}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }
      );
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const kind = pickKind();
        const t = performance.now();
        const status = await one(kind);
        const s = stats.get(kind.name)!;
        s.ms.push(performance.now() - t);
        if (status !== kind.expect) {
          s.wrong++;
        }
        if (status >= 500) {
          s.fivexx++;
        }
      }
    })
  );
  agent.destroy();
  return stats;
}

async function peak(
  url: string,
  connections: number
): Promise<{ rps: number; p50: number; p99: number; non2xx: number }> {
  const result = await autocannon({
    url,
    connections,
    duration: PEAK_S,
    headers: { authorization: `Bearer ${SECRET}` },
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
  };
}

export async function run(): Promise<string> {
  const scratch = await createScratchDatabase('gw_load');
  const direct = new pg.Pool({ connectionString: scratch.url, max: 1 });
  direct.on('error', () => undefined);
  let gateway: GatewayProcess | undefined;
  try {
    await direct.query(
      `CREATE TABLE readings (time timestamptz NOT NULL, sensor_id text NOT NULL, temperature real, humidity real)`
    );
    await direct.query(`CREATE INDEX ON readings (time DESC)`);
    await direct.query(`CREATE INDEX ON readings (sensor_id, time DESC)`);
    await direct.query(
      `CREATE TABLE ingest (time timestamptz NOT NULL, sensor_id text, temperature real, humidity real)`
    );
    await direct.query(
      `INSERT INTO readings SELECT timestamptz '2025-01-01' + g * interval '1 second', 'sensor_' || g % 5, 20 + random() * 5, 50 + random() * 10 FROM generate_series(1, 100000) g`
    );
    await direct.query('ANALYZE');
    gateway = await startGateway({
      DATABASE_URL: scratch.url,
      GATEWAY_TOKENS: `bench:${SECRET}:read,write`,
      LOG_LEVEL: 'warn',
    });
    const pid = gateway.child.pid!;
    const single = `${gateway.url}/timescaledb/data/readings?limit=1`;
    await peak(single, 10); // warm-up, not reported
    const c10 = await peak(single, 10);
    const c50 = await peak(single, 50);
    const loadPeak = loadavg()[0];

    const rssStart = rssMb(pid);
    const started = performance.now();
    const sampler = sampleMemory(`${gateway.url}/metrics`, {}, 2000);
    const stats = await soak(new URL(gateway.url), SOAK_CONNECTIONS, SOAK_S);
    const memory = memoryByPart(await sampler.stop(), 6);
    const elapsed = (performance.now() - started) / 1000;
    const rssEnd = rssMb(pid);
    const loadSoak = loadavg()[0];

    const rate = (n: number) => Math.round(n).toLocaleString('en-US');
    const all = [...stats.values()];
    const total = all.reduce((n, s) => n + s.ms.length, 0);
    const fivexx = all.reduce((n, s) => n + s.fivexx, 0);
    const wrong = all.reduce((n, s) => n + s.wrong, 0);
    const rows = KINDS.map((k) => {
      const s = stats.get(k.name)!;
      return `| ${k.name} | ${k.weight} % | ${rate(s.ms.length / elapsed)} | ${percentile(s.ms, 0.5).toFixed(1)} | ${percentile(s.ms, 0.99).toFixed(1)} | ${s.wrong} | ${s.fivexx} |`;
    });
    const peakRow = (c: number, r: Awaited<ReturnType<typeof peak>>) =>
      `| ${c} | ${rate(r.rps)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ≥ ${rate(GOAL_RPS)} | ${r.rps >= GOAL_RPS ? 'met' : 'missed'} |`;
    return [
      '## Load (one gateway process on PostgreSQL)',
      '',
      `Scratch database, 100,000 readings; the gateway runs as its own process (pg pool of 10, log level warn), the load generator in the benchmark process on the same 2 cores as the gateway and PostgreSQL. Load average ${loadPeak.toFixed(1)} after the peak runs, ${loadSoak.toFixed(1)} after the soak: the machine is shared, figures from a busy machine are lower than the gateway can do alone.`,
      '',
      `(a) Peak single-row GET (\`/timescaledb/data/readings?limit=1\`, newest row by the time index), autocannon, ${PEAK_S} s each after a warm-up:`,
      '',
      '| Connections | req/s | p50 (ms) | p99 (ms) | non-2xx + errors | Goal | Verdict |',
      '|---|---|---|---|---|---|---|',
      peakRow(10, c10),
      peakRow(50, c50),
      '',
      `(b) Mixed soak, ${SOAK_CONNECTIONS} keep-alive connections, ${elapsed.toFixed(0)} s, ${rate(total / elapsed)} req/s in all; ${fivexx} answers 5xx (target 0), ${wrong} with another status than expected. Gateway RSS ${rssStart.toFixed(0)} MB at the start, ${rssEnd.toFixed(0)} MB at the end.`,
      '',
      '| Kind | Share | req/s | p50 (ms) | p99 (ms) | wrong status | 5xx |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
      `Gateway memory during the soak, from its /metrics every 2 s, by sixth of the run: the lowest used V8 heap in each part (a leak would raise these lows part after part) and the RSS at its end.`,
      '',
      '| Up to (s) | used heap, lowest (MB) | RSS (MB) |',
      '|---|---|---|',
      ...memory.map((m) => `| ${m.toS.toFixed(0)} | ${m.heapLowMb.toFixed(1)} | ${m.rssMb.toFixed(0)} |`),
    ].join('\n');
  } finally {
    await gateway?.stop();
    await direct.end();
    await scratch.drop();
  }
}
