import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { seedDemoData } from '../src/demo/seed-demo-data';
import { api } from './helpers/http';

forEachDatabase(
  (getCtx) => {
    it('creates sensor_data (a hypertable where TimescaleDB is), sales_data and measurements', () => {
      const { app, timescale } = getCtx();
      const kinds = Object.fromEntries(app.catalog.list().map((t) => [t.name, t.kind]));
      assert.deepEqual(kinds, {
        sensor_data: timescale ? 'hypertable' : 'table',
        sales_data: 'table',
        measurements: 'table',
      });
      assert.deepEqual(
        app.catalog.resolveTable('measurements').columns.map((c) => `${c.name} ${c.type}`),
        ['timestamp timestamp with time zone', 'value double precision']
      );
      assert.equal(app.catalog.resolveTable('measurements').timeColumn, 'timestamp');
      assert.deepEqual(
        app.catalog.resolveTable('sensor_data').columns.map((c) => `${c.name} ${c.type}`),
        ['timestamp timestamp with time zone', 'sensor_id text', 'temperature real', 'humidity real']
      );
      assert.deepEqual(
        app.catalog.resolveTable('sales_data').columns.map((c) => `${c.name} ${c.type}`),
        ['order_id integer', 'product_id integer', 'quantity integer', 'timestamp timestamp with time zone']
      );
      assert.equal(app.catalog.resolveTable('sensor_data').timeColumn, 'timestamp');
      assert.equal(app.catalog.resolveTable('sales_data').timeColumn, 'timestamp');
    });

    it('fills 7 days at 10 s for 5 sensors, ending now', async () => {
      const { db } = getCtx();
      const { rows } = await db.query<{
        sensors: number;
        n: number;
        span: number;
        lag: number;
        tmin: number;
        tmax: number;
      }>(`
        SELECT count(DISTINCT sensor_id)::int AS sensors, count(*)::int AS n,
               extract(epoch FROM max("timestamp") - min("timestamp"))::int AS span,
               extract(epoch FROM now() - max("timestamp"))::int AS lag,
               min(temperature) AS tmin, max(temperature) AS tmax
        FROM sensor_data`);
      assert.equal(rows[0].sensors, 5);
      assert.equal(rows[0].n, 5 * 60_481);
      assert.equal(rows[0].span, 7 * 86_400);
      assert.ok(rows[0].lag >= 0 && rows[0].lag < 60);
      assert.ok(rows[0].tmin > 10 && rows[0].tmax < 35, `${rows[0].tmin}..${rows[0].tmax}`);
      const sales = await db.query<{ n: number; products: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT product_id)::int AS products FROM sales_data`
      );
      assert.ok(sales.rows[0].n > 1000);
      assert.equal(sales.rows[0].products, 8);
      const ids = await db.query<{ lo: number; plo: number; phi: number }>(
        `SELECT min(order_id) AS lo, min(product_id) AS plo, max(product_id) AS phi FROM sales_data`
      );
      assert.deepEqual(ids.rows[0], { lo: 100_001, plo: 101, phi: 108 });
      const m = await db.query<{ n: number; span: number; lag: number; vmin: number; vmax: number }>(`
        SELECT count(*)::int AS n, extract(epoch FROM max("timestamp") - min("timestamp"))::int AS span,
               extract(epoch FROM now() - max("timestamp"))::int AS lag, min(value) AS vmin, max(value) AS vmax
        FROM measurements`);
      assert.equal(m.rows[0].n, 7 * 288 + 1);
      assert.equal(m.rows[0].span, 7 * 86_400);
      assert.ok(m.rows[0].lag >= 0 && m.rows[0].lag < 300 + 60);
      assert.ok(m.rows[0].vmin > 7 && m.rows[0].vmax < 13, `${m.rows[0].vmin}..${m.rows[0].vmax}`);
    });

    it("stores the document's POST as written, its zone-less timestamp read as UTC, and reads it back", async () => {
      const ctx = getCtx();
      const row = { timestamp: '2023-10-27 10:00:00', sensor_id: 'sensor_1', temperature: 25.5, humidity: 60.2 };
      const posted = await api(ctx, '/timescaledb/data/sensor_data', { body: row });
      assert.equal(posted.status, 201, posted.text);
      assert.deepEqual(posted.body, { inserted: 1 });
      // The writer's session zone decides what a zone-less value means: the pg driver sets UTC on
      // its connections; PGlite's own default is GMT, the same zone (no offset, no summer time).
      const zone = await ctx.db.query<{ tz: string; offset: number; dst: boolean }>(
        `SELECT current_setting('TimeZone') AS tz, extract(epoch FROM utc_offset)::int AS offset, is_dst AS dst
         FROM pg_timezone_names WHERE name = current_setting('TimeZone')`
      );
      assert.deepEqual(zone.rows, [{ tz: ctx.driver === 'postgres' ? 'UTC' : 'GMT', offset: 0, dst: false }]);
      const stored = await ctx.db.query<{ epoch: number }>(
        `SELECT extract(epoch FROM "timestamp")::float8 AS epoch FROM sensor_data WHERE "timestamp" < '2024-01-01T00:00:00Z'`
      );
      assert.deepEqual(stored.rows, [{ epoch: Date.UTC(2023, 9, 27, 10) / 1000 }]);
      const read = await api(ctx, '/timescaledb/data/sensor_data?to=2024-01-01T00:00:00Z', {
        headers: { accept: 'application/json' },
      });
      assert.equal(read.status, 200, read.text);
      assert.equal(read.body.length, 1);
      assert.equal(Date.parse(read.body[0].timestamp), Date.UTC(2023, 9, 27, 10));
      assert.deepEqual(
        { ...read.body[0], timestamp: undefined },
        { timestamp: undefined, sensor_id: 'sensor_1', temperature: 25.5, humidity: 60.2 }
      );
      await ctx.db.query(`DELETE FROM sensor_data WHERE "timestamp" < '2024-01-01T00:00:00Z'`);
    });

    it('leaves existing tables alone on the next start', async () => {
      const { db, app } = getCtx();
      await db.query(`DELETE FROM sales_data WHERE order_id <> 100001`);
      assert.deepEqual(await seedDemoData(db, app.capabilities), { created: [] });
      assert.equal((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales_data`)).rows[0].n, 1);
    });
  },
  { env: { GATEWAY_SEED: 'true' } }
);
