import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { api } from './helpers/http';
import { createFixtures } from './helpers/fixtures';
import { ApiError } from '../src/errors';

forEachDatabase(
  (getCtx) => {
    it('lists tables, views and other schemas with their kind and time column', async () => {
      const ctx = getCtx();
      const res = await api(ctx, '/api/v1/catalog');
      assert.equal(res.status, 200);
      const byName = Object.fromEntries(res.body.tables.map((t: { name: string }) => [t.name, t]));
      assert.equal(byName.metrics.kind, ctx.timescale ? 'hypertable' : 'table');
      assert.equal(byName.metrics.timeColumn, 'time');
      assert.equal(byName.metrics_view.kind, 'view');
      assert.equal(byName['other.things'].schema, 'other');
      assert.equal(byName['other.things'].timeColumn, null);
      assert.equal(byName['Odd "Name"'].kind, 'table');
      assert.equal(byName.items.timeColumn, 'day', 'first time-typed column when there is no hypertable');
      if (ctx.timescale) {
        assert.equal(byName.metrics.hypertable.compression, false);
        assert.equal(byName.metrics.hypertable.chunkInterval, '7 days');
      }
      for (const name of Object.keys(byName)) {
        assert.ok(!/^(pg_|_timescaledb|timescaledb_|information_schema)/.test(name), `system relation ${name} listed`);
      }
    });

    it('describes columns with PostgreSQL type and kind', async () => {
      const res = await api(getCtx(), '/api/v1/catalog/items/columns');
      assert.equal(res.status, 200);
      const kinds = Object.fromEntries(
        res.body.columns.map((c: { name: string; type: string; kind: string }) => [c.name, `${c.type}|${c.kind}`])
      );
      assert.deepEqual(kinds, {
        sku: 'text|string',
        qty: 'integer|number',
        big: 'bigint|number',
        price: 'numeric(12,2)|number',
        ratio: 'real|number',
        active: 'boolean|boolean',
        meta: 'jsonb|json',
        day: 'date|time',
        local_ts: 'timestamp without time zone|time',
        id: 'uuid|other',
        note: 'character varying(40)|string',
      });
      assert.equal(res.body.columns.find((c: { name: string }) => c.name === 'sku').nullable, false);
      assert.equal(res.body.columns.find((c: { name: string }) => c.name === 'note').nullable, true);
    });

    it('answers an unknown table with 404 naming it', async () => {
      const res = await api(getCtx(), '/api/v1/catalog/nope/columns');
      assert.equal(res.status, 404);
      assert.equal(res.body.error, 'unknown_table');
      assert.match(res.body.message, /"nope"/);
      assert.deepEqual(res.body.details, { table: 'nope' });
    });

    it('finds a table created after start on a miss, and on refresh', async () => {
      const ctx = getCtx();
      await ctx.db.query('CREATE TABLE late_table (t timestamptz, v int)');
      await ctx.db.query('INSERT INTO late_table VALUES (now(), 1)');
      const refreshed = await api(ctx, '/api/v1/catalog/refresh', { method: 'POST' });
      assert.equal(refreshed.status, 200);
      const list = await api(ctx, '/api/v1/catalog');
      assert.ok(list.body.tables.some((t: { name: string }) => t.name === 'late_table'));
      assert.equal((await api(ctx, '/timescaledb/data/late_table')).body.length, 1);
    });

    it('resolves tables and columns for other modules, with quoted identifiers', () => {
      const { app } = getCtx();
      const odd = app.catalog.resolveTable('Odd "Name"');
      assert.equal(odd.ident, '"public"."Odd ""Name"""');
      assert.equal(app.catalog.resolveColumn(odd, 'x"y').ident, '"x""y"');
      assert.equal(app.catalog.resolveTable('public.metrics').name, 'metrics');
      assert.equal(app.catalog.resolveColumn('metrics', 'value').kind, 'number');
      assert.throws(
        () => app.catalog.resolveTable('missing'),
        (e: unknown) => e instanceof ApiError && e.statusCode === 404 && e.code === 'unknown_table'
      );
      assert.throws(
        () => app.catalog.resolveColumn('metrics', 'nope'),
        (e: unknown) => e instanceof ApiError && e.statusCode === 400 && /"nope"/.test(e.message)
      );
    });

    it('marks continuous aggregates with bucket width and source', async (t) => {
      const ctx = getCtx();
      if (!ctx.timescale) {
        return t.skip('needs TimescaleDB');
      }
      await ctx.db.query(`CREATE MATERIALIZED VIEW metrics_hourly WITH (timescaledb.continuous) AS
        SELECT time_bucket('1 hour', time) AS bucket, device, avg(value) AS avg_value FROM metrics GROUP BY 1, 2 WITH NO DATA`);
      await ctx.app.catalog.refresh();
      const res = await api(ctx, '/api/v1/catalog');
      const cagg = res.body.tables.find((t: { name: string }) => t.name === 'metrics_hourly');
      assert.equal(cagg.kind, 'continuous_aggregate');
      assert.deepEqual(cagg.continuousAggregate, { bucketWidth: '01:00:00', source: 'metrics' });
      assert.equal(cagg.timeColumn, 'bucket');
      assert.ok(!res.body.tables.some((t: { schema: string }) => t.schema.startsWith('_timescaledb')));
    });
  },
  { setup: (db, { timescale }) => createFixtures(db, timescale) }
);
