import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { api, qs } from './helpers/http';
import { createFixtures, fixtureCounts } from './helpers/fixtures';

// Classic payloads: statement stacking, comment-outs, quote breaking, casts to functions.
const PAYLOADS = [
  `metrics; DROP TABLE items; --`,
  `metrics" ; DROP TABLE items; --`,
  `"metrics"`,
  `metrics--`,
  `(SELECT * FROM secrets)`,
  `pg_catalog.pg_authid`,
  `information_schema.tables`,
  `1 OR 1=1`,
  `' OR '1'='1`,
  `value); DELETE FROM items; --`,
  `value" DESC; DELETE FROM items; --`,
  `pg_sleep(5)`,
];

forEachDatabase(
  (getCtx) => {
    const get = (path: string) => api(getCtx(), path);

    it('treats table names as names only', async () => {
      const before = await fixtureCounts(getCtx().db);
      for (const p of PAYLOADS) {
        const res = await get(`/timescaledb/data/${encodeURIComponent(p)}`);
        assert.equal(res.status, 404, `${p}: ${res.text}`);
        assert.equal(res.body.error, 'unknown_table');
        const w = await api(getCtx(), `/timescaledb/data/${encodeURIComponent(p)}`, { body: { k: 'x' } });
        assert.equal(w.status, 404, p);
      }
      assert.deepEqual(await fixtureCounts(getCtx().db), before);
    });

    it('treats column names (filters, columns, order) as names only', async () => {
      const before = await fixtureCounts(getCtx().db);
      for (const p of PAYLOADS) {
        for (const query of [
          qs([[p, 'eq.1']]),
          qs([['columns', p]]),
          qs([['order', p]]),
          qs([['order', `${p}.desc`]]),
        ]) {
          const res = await get(`/timescaledb/data/metrics${query}`);
          assert.equal(res.status, 400, `${query}: ${res.text}`);
          assert.equal(res.body.error, 'unknown_column', query);
        }
        const w = await api(getCtx(), '/timescaledb/data/metrics', {
          body: { time: '2024-01-01T00:00:00Z', device: 'x', [p]: 1 },
        });
        assert.equal(w.status, 400);
        assert.equal(w.body.error, 'unknown_column');
      }
      assert.deepEqual(await fixtureCounts(getCtx().db), before);
    });

    it('accepts only the listed filter operators', async () => {
      for (const op of ['=', 'or', 'eq)', 'EQ ', `eq'`, 'lt;', 'in(', 'not', 'ilike', 'isnull', 'sql']) {
        const res = await get(`/timescaledb/data/metrics${qs([['device', `${op}.d1`]])}`);
        assert.equal(res.status, 400, `${op}: ${res.text}`);
        assert.equal(res.body.error, 'invalid_operator', op);
      }
    });

    it('binds filter values, so payloads match nothing and run nothing', async () => {
      const before = await fixtureCounts(getCtx().db);
      for (const p of PAYLOADS) {
        for (const filter of [`eq.${p}`, `neq.${p}`, `in.(d1,${p})`, `like.${p}`, `gt.${p}`]) {
          const res = await get(`/timescaledb/data/metrics${qs([['device', filter]])}`);
          assert.equal(res.status, 200, `${filter}: ${res.text}`);
          const expected = filter.startsWith('neq.')
            ? 18
            : filter.startsWith('in.')
              ? 6
              : filter.startsWith('gt.')
                ? res.body.length
                : 0;
          assert.equal(res.body.length, expected, filter);
          assert.ok(res.body.every((r: { device: string }) => /^d[123]$/.test(r.device)));
        }
        const numeric = await get(`/timescaledb/data/metrics${qs([['value', `eq.${p}`]])}`);
        assert.equal(numeric.status, 400, p);
        assert.equal(numeric.body.error, 'invalid_value');
      }
      assert.deepEqual(await fixtureCounts(getCtx().db), before);
    });

    it('accepts only whole numbers for limit and offset', async () => {
      for (const p of ['1; DROP TABLE items', '1 OR 1=1', '(SELECT 1)', '1e3', '0x10', '-1', ' 1', 'ALL']) {
        for (const key of ['limit', 'offset']) {
          const res = await get(`/timescaledb/data/metrics${qs([[key, p]])}`);
          assert.equal(res.status, 400, `${key}=${p}: ${res.text}`);
          assert.equal(res.body.error, `invalid_${key}`);
        }
      }
    });

    it('binds bucket intervals and time bounds', async () => {
      const before = await fixtureCounts(getCtx().db);
      for (const p of [`1 hour'::interval, time) FROM secrets; --`, `1h); DROP TABLE items; --`]) {
        const res = await get(
          `/timescaledb/data/metrics${qs([
            ['bucket', p],
            ['agg', 'avg'],
          ])}`
        );
        assert.equal(res.status, 400, `${p}: ${res.text}`);
        const from = await get(`/timescaledb/data/metrics${qs([['from', p]])}`);
        assert.equal(from.status, 400);
        assert.equal(from.body.error, 'invalid_range');
      }
      assert.deepEqual(await fixtureCounts(getCtx().db), before);
    });

    it('stores hostile text as plain data', async () => {
      const ctx = getCtx();
      const evil = `x'); DROP TABLE items; --`;
      const res = await api(ctx, '/timescaledb/data/other.things', { body: [{ id: 10, label: evil }] });
      assert.equal(res.status, 201);
      const back = await get(`/timescaledb/data/other.things${qs([['label', `eq.${evil}`]])}`);
      assert.deepEqual(back.body, [{ id: 10, label: evil }]);
      const csv = await api(ctx, '/timescaledb/data/other.things', {
        body: `id,label\n11,"${evil.replace(/"/g, '""')}"\n`,
        headers: { 'content-type': 'text/csv' },
      });
      assert.equal(csv.status, 201);
      assert.equal((await fixtureCounts(ctx.db)).items, 2);
    });
  },
  { setup: (db, { timescale }) => createFixtures(db, timescale) }
);
