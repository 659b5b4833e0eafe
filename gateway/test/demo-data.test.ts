import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { seedDemoData } from '../src/demo/seed-demo-data';

forEachDatabase(
  (getCtx) => {
    it('creates sensor_data (hypertable where TimescaleDB is) and sales_data', () => {
      const { app, timescale } = getCtx();
      const kinds = Object.fromEntries(app.catalog.list().map((t) => [t.name, t.kind]));
      assert.deepEqual(kinds, { sensor_data: timescale ? 'hypertable' : 'table', sales_data: 'table' });
      assert.deepEqual(
        app.catalog.resolveTable('sensor_data').columns.map((c) => `${c.name} ${c.type}`),
        ['time timestamp with time zone', 'sensor_id text', 'temperature real', 'humidity real']
      );
      assert.deepEqual(
        app.catalog.resolveTable('sales_data').columns.map((c) => `${c.name} ${c.type}`),
        ['order_id text', 'product_id text', 'quantity integer', 'timestamp timestamp with time zone']
      );
    });

    it('fills 7 days at 10 s for 5 sensors, ending now', async () => {
      const { db } = getCtx();
      const { rows } = await db.query<{ sensors: number; n: number; span: number; lag: number; tmin: number; tmax: number }>(`
        SELECT count(DISTINCT sensor_id)::int AS sensors, count(*)::int AS n,
               extract(epoch FROM max(time) - min(time))::int AS span,
               extract(epoch FROM now() - max(time))::int AS lag,
               min(temperature) AS tmin, max(temperature) AS tmax
        FROM sensor_data`);
      assert.equal(rows[0].sensors, 5);
      assert.equal(rows[0].n, 5 * 60_481);
      assert.equal(rows[0].span, 7 * 86_400);
      assert.ok(rows[0].lag >= 0 && rows[0].lag < 60);
      assert.ok(rows[0].tmin > 10 && rows[0].tmax < 35, `${rows[0].tmin}..${rows[0].tmax}`);
      const sales = await db.query<{ n: number; products: number }>(`SELECT count(*)::int AS n, count(DISTINCT product_id)::int AS products FROM sales_data`);
      assert.ok(sales.rows[0].n > 1000);
      assert.equal(sales.rows[0].products, 8);
    });

    it('leaves existing tables alone on the next start', async () => {
      const { db, app } = getCtx();
      await db.query(`DELETE FROM sales_data WHERE order_id <> 'order_000001'`);
      assert.deepEqual(await seedDemoData(db, app.capabilities), { created: [] });
      assert.equal((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales_data`)).rows[0].n, 1);
    });
  },
  { env: { GATEWAY_SEED: 'true' } }
);
