import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createScratchDatabase } from './helpers/postgres-server';
import {
  READINGS_DDL,
  closeIngestFixture,
  startIngestApp,
  uniqueName,
  waitForQuiet,
  writeMessagingConfig,
} from './helpers/ingest-app';
import { redisPublisher, REDIS_URL, type Publisher, type TestMessage } from './helpers/broker-publishers';
import { TOKENS } from './helpers/test-context';

/**
 * Bad messages through the real Redis into both databases: each poison message lands in
 * `<table>_dead_letter` with its reason and raw payload, the good ones around it are stored
 * (a batch with one bad row keeps its good rows), and the status endpoint and /metrics say so.
 * On the embedded database also the 10,000-messages-with-500-repeats case (batched INSERT, no COPY).
 */
const good = (i: number): TestMessage => ({
  id: `m${i}`,
  body: JSON.stringify({
    id: i,
    time: new Date(Date.parse('2026-11-25T00:00:00Z') + i * 1000).toISOString(),
    sensor: `s${i % 5}`,
    value: i,
  }),
});

const POISON: Array<{ body: string; reason: RegExp }> = [
  { body: '{"id": 1, "time": ', reason: /^not JSON/ },
  {
    body: JSON.stringify({ id: 2, time: '2026-11-25T00:00:00Z', sensor: 's', value: 'abc' }),
    reason: /column "value": expected a number, got "abc"/,
  },
  {
    body: JSON.stringify({ id: 3, time: '2026-11-25T00:00:00Z', sensor: 's', value: 1, colour: 'red' }),
    reason: /Unknown column "colour"/,
  },
  // Passes every check of ours; only the table's CHECK constraint refuses it.
  {
    body: JSON.stringify({ id: 4, time: '2026-11-25T00:00:00Z', sensor: 's', value: -1 }),
    reason: /the database refused it: .*check constraint/,
  },
];

for (const driver of ['embedded', 'postgres'] as const) {
  describe(`ingest dead letters on ${driver === 'embedded' ? 'embedded TimescaleDB' : 'PostgreSQL'}`, () => {
    let scratch: { name: string; url: string } | undefined;
    let app: FastifyInstance;
    const publishers: Publisher[] = [];
    const poisonStream = uniqueName('poison');
    const bulkStream = uniqueName('bulk');

    before(async () => {
      if (driver === 'postgres') {
        scratch = await createScratchDatabase('gw_ingest');
      }
      const sources = [
        `  - name: poison\n    broker: redis\n    url: ${REDIS_URL}\n    stream: ${poisonStream}\n    group: g\n    table: checked\n    messageId: { header: msg-id }\n    batch: { rows: 50, waitMs: 100 }`,
      ];
      if (driver === 'embedded') {
        sources.push(
          `  - name: bulk\n    broker: redis\n    url: ${REDIS_URL}\n    stream: ${bulkStream}\n    group: g\n    table: readings\n    messageId: { header: msg-id }`
        );
      }
      const poison = await redisPublisher(poisonStream);
      publishers.push(poison);
      const messages: TestMessage[] = [];
      for (let i = 0; i < 200; i++) {
        messages.push(good(i + 100));
        if (i % 50 === 25) {
          messages.push({ id: `p${i}`, body: POISON[(i - 25) / 50].body });
        }
      }
      await poison.publish(messages);
      if (driver === 'embedded') {
        const bulk = await redisPublisher(bulkStream);
        publishers.push(bulk);
        const all = Array.from({ length: 10_000 }, (_, i) => good(i));
        await bulk.publish([...all.slice(0, 5000), ...all.slice(0, 500), ...all.slice(5000)]);
      }
      app = await startIngestApp(
        {
          ...(scratch ? { DATABASE_URL: scratch.url } : {}),
          MESSAGING_CONFIG: writeMessagingConfig(`ingest:\n${sources.join('\n')}\n`),
          MESSAGING_INSTANCE: poisonStream,
        },
        async (a) => {
          await a.db.query(READINGS_DDL('readings'));
          await a.db.query(`${READINGS_DDL('checked')}`);
          await a.db.query('ALTER TABLE checked ADD CONSTRAINT value_not_negative CHECK (value >= 0)');
          await a.catalog.refresh();
        }
      );
    });
    after(() => closeIngestFixture(app, publishers, scratch));

    it(
      'puts each poison message in the dead-letter table with its reason, and stores the rest',
      { timeout: 60_000 },
      async () => {
        const stats = await waitForQuiet(app, 'poison', 204, 45_000);
        assert.equal(stats.deadLettered, 4, JSON.stringify(stats));
        assert.equal(stats.storedRows, 200);
        const rows = await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM checked');
        assert.equal(rows.rows[0].n, 200);
        const dead = await app.db.query<{
          message_id: string;
          error: string;
          source: string;
          origin: string;
          payload: string;
        }>(
          `SELECT message_id, error, source, origin, convert_from(payload, 'UTF8') AS payload FROM checked_dead_letter ORDER BY id`
        );
        assert.equal(dead.rows.length, 4);
        for (const [i, p] of POISON.entries()) {
          const row = dead.rows.find((r) => r.payload === p.body);
          assert.ok(row, `poison message ${i} is in the dead-letter table`);
          assert.match(row.error, p.reason);
          assert.equal(row.source, 'poison');
          assert.equal(row.origin, poisonStream);
          assert.match(row.message_id, /^p\d+$/);
        }
      }
    );

    it('reports the source on GET /api/v1/ingest (admin only) and in /metrics', async () => {
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const denied = await fetch(`${base}/api/v1/ingest`, { headers: { authorization: `Bearer ${TOKENS.reader}` } });
      assert.equal(denied.status, 403);
      const res = await fetch(`${base}/api/v1/ingest`, { headers: { authorization: `Bearer ${TOKENS.admin}` } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as {
        sources: Array<{ name: string; deadLettered: number; storedRows: number; state: string }>;
      };
      const poison = body.sources.find((s) => s.name === 'poison')!;
      assert.equal(poison.deadLettered, 4);
      assert.equal(poison.state, 'running', JSON.stringify(poison));
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /gateway_ingest_dead_lettered_total\{source="poison"\} 4/);
      assert.match(metrics, /gateway_ingest_stored_rows_total\{source="poison"\} 200/);
      assert.match(metrics, /gateway_ingest_received_total\{source="poison"\} 204/);
    });

    if (driver === 'embedded') {
      it(
        'stores 10,000 messages with 500 repeated ones exactly once (batched INSERT)',
        { timeout: 120_000 },
        async () => {
          const stats = await waitForQuiet(app, 'bulk', 10_500, 100_000);
          assert.equal(stats.storedMessages, 10_000, JSON.stringify(stats));
          assert.equal(stats.duplicates, 500);
          const rows = await app.db.query<{ n: number; ids: number }>(
            'SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM readings'
          );
          assert.deepEqual(rows.rows[0], { n: 10_000, ids: 10_000 });
        }
      );
    }
  });
}
