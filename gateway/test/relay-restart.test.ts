import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process';
import { createScratchDatabase, dropScratchDatabase, probePostgres } from './helpers/postgres-server';
import { AMQP_URL, amqpQueue, uniqueName, waitFor, writeMessagingConfig } from './helpers/brokers';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const BATCH = 500;
const ROWS = 20_000;

describe(
  'outbox relay in a gateway process (PostgreSQL)',
  { skip: !(await probePostgres()).ok && process.env.CI !== 'true' ? 'PostgreSQL unreachable' : false },
  () => {
    let scratch: { name: string; url: string };
    let gateway: GatewayProcess | undefined;
    const queueName = uniqueName('tsgw_restart');
    const config = writeMessagingConfig(`
relay:
  brokers:
    rabbit: ${AMQP_URL}
  outbox:
    batchSize: ${BATCH}
    tables:
      - table: restart_rows
        to: { broker: rabbit, exchange: '', routingKey: ${queueName} }
`);
    const start = () =>
      startGatewayProcess({
        entry: MAIN,
        cleanEnv: true,
        env: {
          LOG_LEVEL: 'warn',
          DATABASE_URL: scratch.url,
          GATEWAY_TOKENS: 'admin:restart-secret-01:admin',
          MESSAGING_CONFIG: config,
        },
        timeoutMs: 60_000,
      });

    before(async () => {
      scratch = await createScratchDatabase();
      const client = new pg.Client(scratch.url);
      await client.connect();
      await client.query(`CREATE TABLE restart_rows (id int PRIMARY KEY, note text)`);
      await client.end();
    });
    after(async () => {
      await gateway?.stop();
      await dropScratchDatabase(scratch.name);
    });

    it('loses nothing when the gateway is killed mid-batch and started again', async () => {
      const queue = await amqpQueue(queueName);
      try {
        gateway = await start(); // installs the capture trigger from the config
        const client = new pg.Client(scratch.url);
        await client.connect();
        await client.query(
          `INSERT INTO restart_rows SELECT g, repeat('n', 200) FROM generate_series(0, ${ROWS - 1}) g`
        );
        await client.end();
        await waitFor('the first messages', async () => queue.received.length > 0, 30_000, 5);
        gateway.child.kill('SIGKILL');
        await gateway.stop();
        const atKill = new Set(queue.received.map((m) => m.messageId)).size;
        assert.ok(atKill < ROWS, `killed before the end (${atKill} of ${ROWS} delivered)`);

        gateway = await start();
        await waitFor(
          `all ${ROWS} rows`,
          async () => new Set(queue.received.map((m) => m.messageId)).size >= ROWS,
          60_000
        );
        const ids = queue.received.map((m) => (JSON.parse(m.body) as { id: number }).id);
        assert.equal(new Set(ids).size, ROWS, 'every row arrived');
        const duplicates = ids.length - ROWS;
        assert.ok(duplicates <= BATCH, `${duplicates} duplicates: at most the batch that was in flight (${BATCH})`);
      } finally {
        await queue.close();
      }
    });
  }
);
