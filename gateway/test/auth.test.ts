import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { api } from './helpers/http';
import { createFixtures } from './helpers/fixtures';

forEachDatabase(
  (getCtx) => {
    it('answers /health, /ready and /metrics without a token', async () => {
      const ctx = getCtx();
      assert.deepEqual((await api(ctx, '/health', { token: null })).body, { status: 'ok' });
      const ready = await api(ctx, '/ready', { token: null });
      assert.equal(ready.status, 200);
      assert.equal(ready.body.driver, ctx.driver);
      const metrics = await api(ctx, '/metrics', { token: null });
      assert.equal(metrics.status, 200);
      assert.match(metrics.text, /gateway_http_requests_total\{method="GET",route="\/health",status="200"\} \d+/);
    });

    it('rejects a missing token with 401', async () => {
      const res = await api(getCtx(), '/api/v1/catalog', { token: null });
      assert.equal(res.status, 401);
      assert.equal(res.body.error, 'unauthorized');
      assert.match(res.body.message, /bearer token/i);
    });

    it('rejects an unknown token and a malformed header with 401', async () => {
      const ctx = getCtx();
      assert.equal((await api(ctx, '/api/v1/catalog', { token: 'not-a-real-token' })).status, 401);
      const basic = await api(ctx, '/api/v1/catalog', {
        token: null,
        headers: { authorization: `Basic ${ctx.tokens.admin}` },
      });
      assert.equal(basic.status, 401);
      assert.equal(basic.body.error, 'unauthorized');
    });

    it('reports versions and the caller in /api/v1/info', async () => {
      const ctx = getCtx();
      const res = await api(ctx, '/api/v1/info', { token: ctx.tokens.limited });
      assert.equal(res.status, 200);
      assert.equal(res.body.database.driver, ctx.driver);
      assert.match(res.body.database.postgresVersion, /^\d+\.\d+/);
      if (ctx.timescale) {
        assert.match(res.body.database.timescaledb.version, /^2\./);
      } else {
        assert.equal(res.body.database.timescaledb, null);
      }
      assert.deepEqual(res.body.token, {
        name: 'limited',
        scopes: ['read', 'write'],
        tables: ['metrics', 'other.things'],
      });
      assert.match(res.body.gateway.version, /^\d+\.\d+\.\d+/);
    });

    it('refuses a token without the needed scope with 403', async () => {
      const ctx = getCtx();
      const read = await api(ctx, '/timescaledb/data/metrics', { token: ctx.tokens.writer });
      assert.equal(read.status, 403);
      assert.equal(read.body.error, 'forbidden');
      assert.match(read.body.message, /"read" scope/);
      const write = await api(ctx, '/timescaledb/data/metrics', {
        token: ctx.tokens.reader,
        body: { time: '2024-01-01T00:00:00Z', device: 'x' },
      });
      assert.equal(write.status, 403);
      const refresh = await api(ctx, '/api/v1/catalog/refresh', { method: 'POST', token: ctx.tokens.reader });
      assert.equal(refresh.status, 403);
      const sqlOnly = await api(ctx, '/api/v1/catalog', { token: ctx.tokens.sql });
      assert.equal(sqlOnly.status, 403);
    });

    it('lets admin do everything', async () => {
      const ctx = getCtx();
      assert.equal((await api(ctx, '/timescaledb/data/secrets')).status, 200);
      const refresh = await api(ctx, '/api/v1/catalog/refresh', { method: 'POST' });
      assert.equal(refresh.status, 200);
      assert.ok(refresh.body.tables >= 5);
    });

    it('keeps a table-limited token to its tables (403) and hides the others from the catalog', async () => {
      const ctx = getCtx();
      const token = ctx.tokens.limited;
      assert.equal((await api(ctx, '/timescaledb/data/metrics', { token })).status, 200);
      assert.equal((await api(ctx, '/timescaledb/data/other.things', { token })).status, 200);
      const denied = await api(ctx, '/timescaledb/data/secrets', { token });
      assert.equal(denied.status, 403);
      assert.match(denied.body.message, /secrets/);
      assert.equal((await api(ctx, '/api/v1/catalog/secrets/columns', { token })).status, 403);
      assert.equal((await api(ctx, '/timescaledb/data/items', { token, body: { sku: 'zz' } })).status, 403);
      const catalog = await api(ctx, '/api/v1/catalog', { token });
      assert.deepEqual(catalog.body.tables.map((t: { name: string }) => t.name).sort(), ['metrics', 'other.things']);
    });

    it('answers unknown routes with a JSON 404', async () => {
      const res = await api(getCtx(), '/api/v1/nothing-here');
      assert.equal(res.status, 404);
      assert.equal(res.body.error, 'not_found');
    });
  },
  { setup: (db, { timescale }) => createFixtures(db, timescale) }
);
