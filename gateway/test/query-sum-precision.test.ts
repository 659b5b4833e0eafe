import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { api } from './helpers/http';

// Three float4 readings whose float4 running sum depends on their order:
// (1e8 + 1) − 1e8 is 0 in float4 (1e8 + 1 is not representable), (1e8 − 1e8) + 1 is 1.
const ROWS = ['1e8', '1', '-1e8'];

forEachDatabase(
  (getCtx) => {
    it('sums a real column in double precision, so the answer does not depend on row order', async () => {
      const res = await api(getCtx(), '/api/v1/query', {
        body: {
          range: { from: '2024-01-01T00:00:00Z', to: '2024-01-01T01:00:00Z' },
          intervalMs: 60_000,
          maxDataPoints: 100,
          queries: [
            {
              refId: 'A',
              mode: 'builder',
              format: 'table',
              table: 'floats',
              metrics: [{ column: 'reading', aggregation: 'sum' }],
              bucket: '1h',
            },
          ],
        },
      });
      assert.equal(res.status, 200, res.text);
      const a = res.body.results.A;
      assert.equal(a.error, undefined, a.error);
      assert.match(a.executedQueryString, /sum\("v0"::float8\)/);
      const values = a.frames[0].data.values;
      assert.deepEqual(values[values.length - 1], [1]);
    });
  },
  {
    setup: async (db) => {
      await db.query('CREATE TABLE floats (time timestamptz NOT NULL, reading real)');
      for (const [i, v] of ROWS.entries()) {
        await db.query(`INSERT INTO floats VALUES ('2024-01-01T00:0${i}:00Z', ${v})`);
      }
    },
  }
);
