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

/**
 * CSV messages through the real Redis into both databases: one source whose messages carry
 * their own header line, one with the columns and a `;` delimiter in the config. Rows take the
 * same checks as a `text/csv` POST (an empty field is NULL); a message with a ragged line or a
 * value that does not fit goes to the dead-letter table and the rest is stored.
 */
const at = (i: number) => new Date(Date.parse('2026-11-25T00:00:00Z') + i * 1000).toISOString();

function headed(first: number): TestMessage {
  const lines = ['id,time,sensor,value'];
  for (let i = first; i < first + 5; i++) {
    lines.push(`${i},${at(i)},"s,${i % 3}",${i % 7 === 0 ? '' : i / 2}`);
  }
  return { id: `h${first}`, body: lines.join('\r\n') };
}

for (const driver of ['embedded', 'postgres'] as const) {
  describe(`ingest of CSV messages on ${driver === 'embedded' ? 'embedded TimescaleDB' : 'PostgreSQL'}`, () => {
    let scratch: { name: string; url: string } | undefined;
    let app: FastifyInstance;
    const publishers: Publisher[] = [];
    const headedStream = uniqueName('csv_headed');
    const plainStream = uniqueName('csv_plain');

    before(async () => {
      if (driver === 'postgres') {
        scratch = await createScratchDatabase('gw_ingest_csv');
      }
      const headedPub = await redisPublisher(headedStream);
      const plainPub = await redisPublisher(plainStream);
      publishers.push(headedPub, plainPub);
      const messages = Array.from({ length: 20 }, (_, k) => headed(k * 5));
      messages.splice(7, 0, { id: 'ragged', body: 'id,time,sensor,value\n900,2026-11-25T00:00:00Z,s\n' });
      messages.splice(12, 0, { id: 'badvalue', body: `id,time,sensor,value\n901,${at(1)},s,warm\n` });
      await headedPub.publish(messages);
      await plainPub.publish([
        { id: 'p1', body: `1;${at(1)};north;1.5\n2;${at(2)};south;2.5\n` },
        { id: 'p2', body: `3;${at(3)};east;\n` },
      ]);
      const common = `    broker: redis\n    url: ${REDIS_URL}\n    group: g\n    messageId: { header: msg-id }\n    batch: { rows: 40, waitMs: 50 }`;
      app = await startIngestApp(
        {
          ...(scratch ? { DATABASE_URL: scratch.url } : {}),
          MESSAGING_CONFIG: writeMessagingConfig(`ingest:
  - name: headed
${common}
    stream: ${headedStream}
    table: readings
    decoder: { format: csv }
  - name: plain
${common}
    stream: ${plainStream}
    table: other
    decoder:
      format: csv
      delimiter: ";"
      columns: [n, t, where, v]
      fields: { id: n, time: t, sensor: where, value: v }
`),
          MESSAGING_INSTANCE: headedStream,
        },
        async (a) => {
          await a.db.query(READINGS_DDL('readings'));
          await a.db.query(READINGS_DDL('other'));
          await a.catalog.refresh();
        }
      );
    });
    after(() => closeIngestFixture(app, publishers, scratch));

    it('stores every row of the good messages, NULL for an empty field, and dead-letters the two bad ones', async () => {
      const stats = await waitForQuiet(app, 'headed', 22, 45_000);
      assert.equal(stats.storedRows, 100, JSON.stringify(stats));
      assert.equal(stats.deadLettered, 2, JSON.stringify(stats));
      const rows = await app.db.query<{ n: number; nulls: number; quoted: number; sum: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE value IS NULL)::int AS nulls,
                count(*) FILTER (WHERE sensor LIKE 's,%')::int AS quoted, sum(value)::float8 AS sum FROM readings`
      );
      const expectedSum = Array.from({ length: 100 }, (_, i) => (i % 7 === 0 ? 0 : i / 2)).reduce((a, b) => a + b);
      assert.deepEqual(rows.rows[0], { n: 100, nulls: 15, quoted: 100, sum: expectedSum });
      const dead = await app.db.query<{ message_id: string; error: string }>(
        'SELECT message_id, error FROM readings_dead_letter ORDER BY message_id'
      );
      assert.deepEqual(
        dead.rows.map((r) => r.message_id),
        ['badvalue', 'ragged']
      );
      assert.match(dead.rows[0].error, /column "value": expected a number, got "warm"/);
      assert.match(dead.rows[1].error, /not CSV: .*Invalid Record Length/);
    });

    it('reads header-less messages by the configured columns and delimiter', async () => {
      await waitForQuiet(app, 'plain', 2, 45_000);
      const rows = await app.db.query<{ id: string; sensor: string; value: number | null }>(
        'SELECT id::text, sensor, value FROM other ORDER BY id'
      );
      assert.deepEqual(rows.rows, [
        { id: '1', sensor: 'north', value: 1.5 },
        { id: '2', sensor: 'south', value: 2.5 },
        { id: '3', sensor: 'east', value: null },
      ]);
    });
  });
}
