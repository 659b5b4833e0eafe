import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { parseMessagingConfig } from '../src/messaging/config-file';
import { AMQP_URL, REDIS_URL, waitFor } from './helpers/brokers';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process';
import { createOwnCluster, type OwnCluster } from './helpers/own-cluster';
import {
  createScratchDatabase,
  dropScratchDatabase,
  probePostgres,
  TEST_DATABASE_URL,
} from './helpers/postgres-server';
import { NO_SHEDDING } from './helpers/test-context';

/**
 * Runs every block of docs/seed-walkthrough.md as it is written there: curl and shell blocks
 * through bash, SQL through psql, YAML as the gateway's messaging config, gateway start lines as
 * a gateway process with their environment and flags. Only the page's placeholders are filled
 * in, plus the names of shared things (queue, stream, MQTT topic, databases) made unique to
 * this run so that runs side by side on the shared brokers and server do not meet.
 *
 * Each curl prints its HTTP status on a last line of its own (a `.curlrc` of the test's, via
 * CURL_HOME), so the blocks need no `-w` that readers would not type.
 */

const GATEWAY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(GATEWAY_DIR, 'src', 'main.ts');
const PAGE = readFileSync(join(GATEWAY_DIR, '..', 'docs', 'seed-walkthrough.md'), 'utf8');
const PRIMARY_PORT = 55500;
const STANDBY_PORT = 55501;
const asRoot = userInfo().uid === 0;

interface Snippet {
  id: string;
  lang: string;
  body: string;
}

/** The page's blocks, each tagged by an `<!-- snippet: id -->` line right above its fence. */
function pageSnippets(): Snippet[] {
  return [...PAGE.matchAll(/<!-- snippet: ([\w-]+) -->\n```(\w+)\n([\s\S]*?)\n```/g)].map(([, id, lang, body]) => ({
    id,
    lang,
    body,
  }));
}
const SNIPPETS = new Map(pageSnippets().map((s) => [s.id, s]));

const run = (tag = randomBytes(3).toString('hex')) => `seed_${process.pid}_${tag}`;
const names = {
  queue: run('queue'),
  stream: run('stream'),
  topicRoot: run('mqtt'),
  token: randomBytes(18).toString('hex'),
};
const work = mkdtempSync(join(tmpdir(), 'seed-walkthrough-'));
writeFileSync(join(work, '.curlrc'), 'write-out = "\\n%{http_code}\\n"\n');

/** Placeholders and shared names of the page → this run's values. */
const fills: Array<[string, () => string]> = [];
const fill = (text: string) => fills.reduce((t, [from, to]) => (t.includes(from) ? t.split(from).join(to()) : t), text);

function runCommand(
  file: string,
  args: string[],
  options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const input = options.input;
    const child = spawn(file, args, {
      cwd: work,
      env: { ...process.env, CURL_HOME: work, ...options.env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (child.stdin) {
      // A command that exits before reading all of it (psql after an error) must not crash the test.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    }
  });
}

/** A shell block, as written (placeholders filled); fails on a non-zero exit. */
async function sh(id: string, options: { asPostgres?: boolean } = {}): Promise<string> {
  const script = fill(snippet(id, 'sh').body);
  const res =
    options.asPostgres && asRoot
      ? await runCommand('runuser', [
          '-u',
          'postgres',
          '--',
          'bash',
          '-euo',
          'pipefail',
          '-c',
          `export PATH=/usr/lib/postgresql/15/bin:$PATH; cd /tmp; ${script}`,
        ])
      : await runCommand('bash', ['-euo', 'pipefail', '-c', script]);
  assert.equal(res.code, 0, `${id} exited with ${res.code}:\n${res.stderr}\n${res.stdout}`);
  return res.stdout;
}

/** A curl block: its body (JSON parsed when it is JSON) and the status the .curlrc prints. */
async function curl(id: string): Promise<{ status: number; body: any; text: string }> {
  const out = (await sh(id)).replace(/\n$/, '');
  const cut = out.lastIndexOf('\n');
  const text = out.slice(0, cut);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: Number(out.slice(cut + 1)), body, text };
}

async function psql(id: string, url: string): Promise<string> {
  const res = await runCommand('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', url, '-f', '-'], {
    input: fill(snippet(id, 'sql').body),
  });
  assert.equal(res.code, 0, `${id}: ${res.stderr}`);
  return res.stdout;
}

function snippet(id: string, lang: string): Snippet {
  const s = SNIPPETS.get(id);
  assert.ok(s, `the page has no block "${id}"`);
  assert.equal(s.lang, lang, `block ${id} is ${s.lang}, not ${lang}`);
  return s;
}

/** A YAML block written where the start line's MESSAGING_CONFIG names it. */
function writeYaml(id: string, file: string): string {
  const text = fill(snippet(id, 'yaml').body);
  writeFileSync(join(work, file), text);
  return text;
}

/**
 * A start line `NAME=value … npx timescaledb-gateway --flag value`: the gateway's own entry
 * with that environment and those flags (a relative file in the environment is this run's
 * file of that name). Its port is the one the page's other blocks then use.
 */
async function startFromSnippet(id: string): Promise<GatewayProcess> {
  const line = fill(
    snippet(id, 'sh')
      .body.replace(/\\\n\s*/g, ' ')
      .replace(/<port>/g, '0')
  );
  // Shell words: quoted parts joined to their neighbours, the quotes removed.
  const words = [...line.matchAll(/(?:[^\s'"]+|'[^']*'|"[^"]*")+/g)].map(([w]) =>
    w.replace(/'([^']*)'|"([^"]*)"/g, '$1$2')
  );
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split('=');
    const text = value.join('=');
    env[name] = /\.(ya?ml|json)$/.test(text) && !isAbsolute(text) ? join(work, text) : text;
  }
  assert.deepEqual(words.slice(0, 2), ['npx', 'timescaledb-gateway'], `${id} starts the gateway`);
  // The MQTT client id is made of the instance name: this run's own, so no other session is taken over.
  return startGatewayProcess({
    entry: ENTRY,
    cwd: GATEWAY_DIR,
    env: { ...env, ...NO_SHEDDING, MESSAGING_INSTANCE: run('instance') },
    args: words.slice(2),
    timeoutMs: 240_000,
  });
}

const portOf = (gateway: GatewayProcess) => new URL(gateway.url).port;
let port = '';
fills.push(['<port>', () => port], ['<token>', () => names.token]);
fills.push(
  ['sales_data_queue', () => names.queue],
  ['sales_data_events', () => names.stream],
  ['factory/', () => `${names.topicRoot}/`]
);

/** Blocks in the page's order; the first test checks the page has exactly these. */
const ORDER = [
  'rest-get',
  'rest-post',
  'rest-get-range',
  'rest-fetch',
  'trigger-sql',
  'relay-yaml',
  'relay-start',
  'relay-queue',
  'trigger-insert',
  'relay-amqp-read',
  'relay-redis-read',
  'ingest-yaml',
  'ingest-kafka-yaml',
  'ingest-start',
  'ingest-publish',
  'ingest-read',
  'fdw-remote-sql',
  'fdw-local-sql',
  'fdw-union-sql',
  'fdw-view-sql',
  'fdw-refresh',
  'fdw-get',
  'replica-primary-conf',
  'replica-basebackup',
  'replica-check',
  'replica-gateway',
  'replica-write-read',
  'grafana-compose',
  'examples-index',
];

describe('docs/seed-walkthrough.md, block by block', { timeout: 900_000 }, () => {
  let demo: GatewayProcess;
  let demoToken = '';

  before(async () => {
    demo = await startGatewayProcess({
      entry: ENTRY,
      cwd: GATEWAY_DIR,
      args: ['--demo'],
      env: { DATA_DIR: 'memory://', DATABASE_URL: '', LOG_LEVEL: 'warn', ...NO_SHEDDING },
      timeoutMs: 240_000,
    });
    demoToken = demo.demoToken ?? '';
  });
  after(async () => {
    await demo?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** The REST blocks run against `npm start`'s demo with its printed token. */
  const onDemo = async <T>(fn: () => Promise<T>): Promise<T> => {
    const saved = names.token;
    port = portOf(demo);
    names.token = demoToken;
    try {
      return await fn();
    } finally {
      names.token = saved;
    }
  };

  it('finds the command-line tools the page uses', async () => {
    const tools = [
      'curl',
      'psql',
      'pg_basebackup',
      'pg_ctl',
      'amqp-declare-queue',
      'amqp-consume',
      'redis-cli',
      'mosquitto_pub',
    ];
    const res = await runCommand(
      'bash',
      ['-c', `for t in ${tools.join(' ')}; do command -v "$t" >/dev/null || echo "$t"; done`],
      {
        env: { PATH: `/usr/lib/postgresql/15/bin:${process.env.PATH}` },
      }
    );
    assert.equal(
      res.stdout.trim(),
      '',
      'missing (Debian: curl postgresql-client amqp-tools redis-tools mosquitto-clients)'
    );
  });

  it('has a snippet marker on every block, and this test runs each of them', () => {
    assert.deepEqual([...SNIPPETS.keys()], ORDER);
    assert.equal(
      (PAGE.match(/^```\w+$/gm) ?? []).length,
      SNIPPETS.size,
      'a block without its <!-- snippet: … --> line'
    );
  });

  describe('1. REST on the demo', () => {
    it("rest-get: the document's GET answers the newest rows with the document's columns", async () => {
      const res = await onDemo(() => curl('rest-get'));
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.length, 1000);
      assert.deepEqual(Object.keys(res.body[0]), ['timestamp', 'sensor_id', 'temperature', 'humidity']);
      assert.ok(Date.now() - Date.parse(res.body[0].timestamp) < 120_000, `newest first: ${res.body[0].timestamp}`);
    });

    it("rest-post: the document's POST answers 201", async () => {
      const res = await onDemo(() => curl('rest-post'));
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, { inserted: 1 });
    });

    it('rest-get-range: the posted row comes back, its zone-less time read as UTC', async () => {
      const res = await onDemo(() => curl('rest-get-range'));
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, [
        { timestamp: '2023-10-27T10:00:00.000Z', sensor_id: 'sensor_1', temperature: 25.5, humidity: 60.2 },
      ]);
    });

    it("rest-fetch: the document's fetch reads the rows", async () => {
      const code = await onDemo(async () => fill(snippet('rest-fetch', 'js').body));
      const res = await runCommand(process.execPath, ['--input-type=module', '-e', code]);
      assert.equal(res.code, 0, res.stderr);
      const [count, sensor, time] = res.stdout.trim().split(' ');
      assert.equal(count, '1000');
      assert.match(sensor, /^sensor_[1-5]$/);
      assert.ok(Date.now() - Date.parse(time) < 120_000, time);
    });
  });

  describe('2–5. on PostgreSQL', async () => {
    const probe = await probePostgres();
    if (!probe.ok) {
      const message = `PostgreSQL at ${TEST_DATABASE_URL} is unreachable (${probe.error})`;
      if (process.env.CI === 'true') {
        it('needs PostgreSQL (CI=true)', () => assert.fail(message));
      } else {
        it(`skipped: ${message}`, { skip: message }, () => undefined);
      }
      return;
    }
    let local: { name: string; url: string };
    let remote: { name: string; url: string };
    let gateway: GatewayProcess | undefined;
    let cluster: OwnCluster | undefined;
    const standbyDir = () => join(cluster!.dir, 'standby');
    let standbyStarted = false;

    before(async () => {
      local = await createScratchDatabase('seed_walkthrough');
      remote = await createScratchDatabase('seed_walkthrough_remote');
      fills.push(['<database-url>', () => local.url], ['external_db', () => remote.name]);
      fills.push(
        ['<primary-port>', () => String(PRIMARY_PORT)],
        ['<standby-port>', () => String(STANDBY_PORT)],
        ['<standby-dir>', () => standbyDir()]
      );
    });
    after(async () => {
      await gateway?.stop();
      if (standbyStarted) {
        await runCommand(asRoot ? 'runuser' : '/usr/lib/postgresql/15/bin/pg_ctl', [
          ...(asRoot ? ['-u', 'postgres', '--', '/usr/lib/postgresql/15/bin/pg_ctl'] : []),
          '-D',
          standbyDir(),
          '-m',
          'immediate',
          'stop',
        ]);
      }
      await cluster?.destroy();
      const connection = await amqp.connect(AMQP_URL);
      const channel = await connection.createChannel();
      await channel.deleteQueue(names.queue).catch(() => undefined);
      await connection.close().catch(() => undefined);
      const redis = new Redis(REDIS_URL);
      await redis.del(names.stream).catch(() => undefined);
      redis.disconnect();
      if (local) {
        await dropScratchDatabase(local.name);
      }
      if (remote) {
        await dropScratchDatabase(remote.name);
      }
    });

    it("trigger-sql: the document's table, trigger function and trigger", async () => {
      await psql('trigger-sql', local.url);
    });

    it('relay-yaml, relay-start: the gateway relays the channel to RabbitMQ and Redis', async () => {
      const yaml = writeYaml('relay-yaml', 'messaging.yaml');
      assert.deepEqual(
        parseMessagingConfig(yaml, 'messaging.yaml').relay?.notify.map((n) => n.channel),
        ['sales_data_channel', 'sales_data_channel']
      );
      gateway = await startFromSnippet('relay-start');
      port = portOf(gateway);
    });

    it('relay-queue, trigger-insert, relay-amqp-read: the INSERT arrives on the queue as the document’s JSON object', async () => {
      await sh('relay-queue');
      await psql('trigger-insert', local.url);
      const out = await sh('relay-amqp-read');
      const message = JSON.parse(out.trim());
      assert.deepEqual(Object.keys(message), ['order_id', 'product_id', 'quantity', 'timestamp']);
      assert.deepEqual(
        { ...message, timestamp: undefined },
        { order_id: 1, product_id: 101, quantity: 5, timestamp: undefined }
      );
      assert.ok(Math.abs(Date.parse(message.timestamp) - Date.now()) < 120_000, message.timestamp);
    });

    it('relay-redis-read: and on the Redis stream, with the same fields', async () => {
      const out = await waitFor('the stream entry', async () => {
        const text = await sh('relay-redis-read');
        return text.trim() && text;
      });
      const lines = out.trim().split('\n');
      assert.equal(lines.length, 9, out);
      assert.deepEqual(lines.slice(1, 7), ['order_id', '1', 'product_id', '101', 'quantity', '5']);
      assert.equal(lines[7], 'timestamp');
      await gateway!.stop();
      gateway = undefined;
    });

    it('ingest-yaml, ingest-kafka-yaml: both are configurations the gateway accepts', () => {
      const mqtt = parseMessagingConfig(writeYaml('ingest-yaml', 'ingest.yaml'), 'ingest.yaml').ingest;
      assert.deepEqual(
        mqtt.map((s) => [s.broker, s.table]),
        [['mqtt', 'sensor_data']]
      );
      // No Kafka broker here: the Kafka block is checked as configuration only (as the page says).
      const kafka = parseMessagingConfig(fill(snippet('ingest-kafka-yaml', 'yaml').body), 'kafka.yaml').ingest;
      assert.deepEqual(
        kafka.map((s) => [s.broker, s.table]),
        [['kafka', 'sensor_data']]
      );
    });

    it('ingest-start, ingest-publish, ingest-read: an MQTT message becomes a sensor_data row', async () => {
      gateway = await startFromSnippet('ingest-start');
      port = portOf(gateway);
      // The subscription is made after the listening line: a QoS 1 publish before it would find no session.
      await waitFor(
        'the MQTT source to run',
        async () => {
          const res = await fetch(`${gateway!.url}/api/v1/ingest`, {
            headers: { authorization: `Bearer ${names.token}` },
          });
          const body = (await res.json()) as { sources: Array<{ state: string }> };
          return body.sources[0]?.state === 'running';
        },
        60_000
      );
      await sh('ingest-publish');
      const res = await waitFor('the ingested row', async () => {
        const r = await curl('ingest-read');
        return Array.isArray(r.body) && r.body.length > 0 && r;
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, [
        { timestamp: '2023-10-27T10:05:00.000Z', sensor_id: 'sensor_9', temperature: 24.1, humidity: 58.3 },
      ]);
    });

    it('fdw-remote-sql, fdw-local-sql, fdw-union-sql: the foreign table answers in the UNION ALL', async () => {
      await psql('fdw-remote-sql', remote.url);
      await psql('fdw-local-sql', local.url);
      const out = (await psql('fdw-union-sql', local.url)).trim().split('\n');
      assert.deepEqual(out.slice(0, 3), [
        '2023-10-27 10:00:00+00|1.5',
        '2023-10-27 10:30:00+00|10.5',
        '2023-10-27 11:00:00+00|2.5',
      ]);
      // Then the demo's measurements (seeded by section 3's gateway): 7 days at 5 minutes.
      assert.equal(out.length, 3 + 7 * 288 + 1);
    });

    it('fdw-view-sql, fdw-refresh, fdw-get: the view through GET /timescaledb/data', async () => {
      await psql('fdw-view-sql', local.url);
      const refreshed = await curl('fdw-refresh');
      assert.equal(refreshed.status, 200, refreshed.text);
      // sales_data, sensor_data, measurements, external_data_view, combined_data at least.
      assert.ok(refreshed.body.tables >= 5, refreshed.text);
      const res = await curl('fdw-get');
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, [
        { timestamp: '2023-10-27T10:00:00.000Z', value: 1.5 },
        { timestamp: '2023-10-27T10:30:00.000Z', value: 10.5 },
        { timestamp: '2023-10-27T11:00:00.000Z', value: 2.5 },
      ]);
      await gateway!.stop();
      gateway = undefined;
    });

    it('replica-primary-conf, replica-basebackup, replica-check: a streaming standby of an own cluster', async () => {
      const conf = snippet('replica-primary-conf', 'ini')
        .body.split('\n')
        .filter((l) => l.trim());
      cluster = await createOwnCluster({ port: PRIMARY_PORT, conf });
      assert.deepEqual(
        await cluster.query(
          `SELECT name, setting FROM pg_settings WHERE name IN ('wal_level', 'max_wal_senders', 'max_replication_slots', 'hot_standby') ORDER BY name`
        ),
        [
          { name: 'hot_standby', setting: 'on' },
          { name: 'max_replication_slots', setting: '10' },
          { name: 'max_wal_senders', setting: '10' },
          { name: 'wal_level', setting: 'replica' },
        ]
      );
      standbyStarted = true;
      await sh('replica-basebackup', { asPostgres: true });
      const out = await waitFor('the standby to stream', async () => {
        const text = await sh('replica-check');
        return text.startsWith('standby_1|t') && text;
      });
      assert.deepEqual(out.trim().split('\n'), ['standby_1|t', 't']);
      // Written on the primary, read on the standby.
      await cluster.query(`CREATE TABLE seed_replicated AS SELECT 42 AS answer`);
      const standby = `postgres://postgres@127.0.0.1:${STANDBY_PORT}/postgres`;
      const read = await waitFor('the row on the standby', async () => {
        const client = new pg.Client({ connectionString: standby });
        await client.connect();
        try {
          return (
            (await client.query(`SELECT to_regclass('seed_replicated') IS NOT NULL AS there`)).rows[0].there &&
            (await client.query('SELECT answer FROM seed_replicated')).rows
          );
        } finally {
          await client.end();
        }
      });
      assert.deepEqual(read, [{ answer: 42 }]);
    });

    it('replica-gateway, replica-write-read: the gateway writes to the primary and reads from the standby', async () => {
      await cluster!.query(`CREATE TABLE replicated (answer int)`);
      await gateway?.stop();
      gateway = await startFromSnippet('replica-gateway');
      port = portOf(gateway);
      const served = await waitFor('a read served by the standby', async () => {
        // The first curl prints the POST's status (the test's .curlrc), the second the header.
        const lines = (await sh('replica-write-read').catch(() => '')).trim().split('\n');
        const header = lines[lines.length - 1];
        return lines[0] === '201' && /^x-served-by: 127\.0\.0\.1:\d+\/postgres$/i.test(header) && header;
      });
      assert.match(served, new RegExp(`:${STANDBY_PORT}/postgres$`));
      const rows = await cluster!.query<{ answer: number }>(`SELECT answer FROM replicated`);
      assert.ok(rows.length >= 1 && rows.every((r) => r.answer === 42), 'written on the primary');
      await gateway.stop();
      gateway = undefined;
    });
  });

  it(
    'grafana-compose',
    {
      skip: 'needs a Docker engine, which this machine lacks; src/stack.test.ts checks docker-compose.yaml and provisioning/',
    },
    () => undefined
  );

  it('examples-index: the demo lists the Plotly and D3 pages', async () => {
    const res = await onDemo(() => curl('examples-index'));
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /href="plotly\.html"/);
    assert.match(res.text, /href="d3\.html"/);
  });
});
