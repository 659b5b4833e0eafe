import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { api } from './helpers/http';

/**
 * Large POST batches: on PostgreSQL they are checked and copied chunk by chunk while COPY
 * runs; whatever a later row holds, the answer and the table must be exactly those of
 * checking every row first (the embedded database, without COPY, pins that behaviour).
 */

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const ROWS = 10_000; // several COPY chunks, so a late bad row arrives after data was sent

const rowsFor = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    time: new Date(T0 + i * 1000).toISOString(),
    sensor: i % 7 === 0 ? `s"${i},\n` : `s${i % 5}`,
    temp: Math.round(i * 1.25) / 100,
    n: i,
  }));

forEachDatabase(
  (getCtx) => {
    const post = (rows: unknown) => api(getCtx(), '/timescaledb/data/bulk_readings', { method: 'POST', body: rows });
    const stats = async () =>
      (
        await getCtx().db.query<{ rows: number; temps: number; ns: number; odd: string; dflt: number }>(
          `SELECT count(*)::int AS rows, sum(temp::float8) AS temps, sum(n)::float8 AS ns,
                  max(sensor) FILTER (WHERE sensor LIKE 's"7,%') AS odd, count(*) FILTER (WHERE note = 'default')::int AS dflt
           FROM bulk_readings`
        )
      ).rows[0];
    const reset = () => getCtx().db.query('TRUNCATE bulk_readings');

    it('inserts a large uniform batch with every value intact', async () => {
      await reset();
      const rows = rowsFor(ROWS);
      const res = await post(rows);
      assert.deepEqual([res.status, res.body], [201, { inserted: ROWS }]);
      const back = await stats();
      assert.equal(back.rows, ROWS);
      assert.equal(back.odd, 's"7,\n');
      assert.equal(back.dflt, ROWS);
      assert.ok(Math.abs(back.temps - rows.reduce((s, r) => s + Math.fround(r.temp), 0)) < 1e-3);
      assert.equal(back.ns, (ROWS * (ROWS - 1)) / 2);
    });

    it('inserts nothing when a late row has a bad value, and names it', async () => {
      await reset();
      const rows: Array<Record<string, unknown>> = rowsFor(ROWS);
      rows[9000] = { ...rows[9000], temp: 'warm' };
      rows[9100] = { ...rows[9100], time: 'soon' };
      const res = await post(rows);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_value');
      assert.deepEqual(res.body.details.errors, [
        { row: 9000, column: 'temp', reason: 'expected a number, got "warm"' },
        { row: 9100, column: 'time', reason: 'expected an ISO-8601 time or epoch milliseconds, got "soon"' },
      ]);
      assert.equal((await stats()).rows, 0);
      // The connection that ran the abandoned COPY serves the next batch normally.
      const again = await post(rowsFor(500));
      assert.deepEqual([again.status, again.body], [201, { inserted: 500 }]);
    });

    it('names an unknown column in a late row and inserts nothing', async () => {
      await reset();
      const rows: Array<Record<string, unknown>> = rowsFor(ROWS);
      rows[9500] = { ...rows[9500], humidity: 3 };
      const res = await post(rows);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'unknown_column');
      assert.deepEqual(res.body.details, { table: 'bulk_readings', column: 'humidity', row: 9500 });
      assert.equal((await stats()).rows, 0);
    });

    it('applies defaults for columns a late row leaves out, and takes keys in any order', async () => {
      await reset();
      const rows: Array<Record<string, unknown>> = rowsFor(ROWS);
      rows[20] = { n: rows[20].n, temp: rows[20].temp, sensor: rows[20].sensor, time: rows[20].time };
      const { n: _n, ...withoutN } = rows[9900];
      rows[9900] = { ...withoutN, note: 'given' };
      const res = await post(rows);
      assert.deepEqual([res.status, res.body], [201, { inserted: ROWS }]);
      const back = await stats();
      assert.equal(back.rows, ROWS);
      assert.equal(back.dflt, ROWS - 1);
      assert.equal(back.ns, (ROWS * (ROWS - 1)) / 2 - 9900 + 42);
    });

    it('rolls everything back when the database rejects a late row', async () => {
      await reset();
      const rows: Array<Record<string, unknown>> = rowsFor(ROWS);
      rows[9999] = { ...rows[9999], sensor: null };
      const res = await post(rows);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'constraint_violation');
      assert.match(res.body.message, /sensor/);
      assert.equal((await stats()).rows, 0);
    });
  },
  {
    env: { COPY_THRESHOLD_ROWS: '100', BODY_LIMIT: String(8 * 1024 * 1024) },
    setup: async (db) => {
      await db.query(
        `CREATE TABLE bulk_readings (time timestamptz NOT NULL, sensor text NOT NULL, temp real, n integer DEFAULT 42, note text DEFAULT 'default')`
      );
    },
  }
);
