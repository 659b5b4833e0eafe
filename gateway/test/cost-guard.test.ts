import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase, TOKEN_SPEC, TOKENS } from './helpers/test-context';
import { api } from './helpers/http';
import { checkQueryCost, estimatePlan, queryWithinCost } from '../src/query/cost-guard';

/** The cost guard refuses queries the planner expects to be expensive, with a 422 saying what to change. */

const WHOLE = { from: '2026-06-01T00:00:00Z', to: '2026-06-08T00:00:00Z' };
const HOUR = { from: '2026-06-03T00:00:00Z', to: '2026-06-03T01:00:00Z' };
// A read token allowed the bypass by its configuration; TOKENS.reader is not.
const BULK_SECRET = 'bulk-secret-0001';
const builder = (extra: Record<string, unknown> = {}) => ({
  refId: 'A',
  mode: 'builder',
  table: 'cagg_cost_rows',
  metrics: [{ column: 'v', aggregation: 'avg' }],
  bucket: '1m',
  ...extra,
});

forEachDatabase(
  (getCtx) => {
    it('refuses a builder query expected to read more rows than QUERY_MAX_ROWS_SCANNED, naming the estimate and the remedies', async () => {
      const res = await api(getCtx(), '/api/v1/query', { body: { range: WHOLE, queries: [builder()] } });
      assert.equal(res.status, 200, res.text);
      const a = res.body.results.A;
      assert.equal(a.status, 422, a.error);
      assert.equal(a.errorCode, 'query_too_expensive');
      assert.match(a.error, /Query A: the planner estimates \d+ rows read \(QUERY_MAX_ROWS_SCANNED 2000\)/);
      assert.match(a.error, /Narrow the time range.*continuous aggregate.*"allowExpensive": true/);
    });

    it('runs the same query when it opts in, and a narrow range without opting in', async () => {
      const res = await api(getCtx(), '/api/v1/query', {
        body: { range: WHOLE, queries: [builder({ allowExpensive: true })] },
      });
      assert.equal(res.body.results.A.error, undefined, res.body.results.A.error);
      assert.ok(res.body.results.A.frames[0].data.values[0].length > 500);
      const narrow = await api(getCtx(), '/api/v1/query', { body: { range: HOUR, queries: [builder()] } });
      assert.equal(narrow.body.results.A.error, undefined, narrow.body.results.A.error);
    });

    it('lets only tokens configured for it set allowExpensive; others get a 403 naming the option', async () => {
      const body = { range: WHOLE, queries: [builder({ allowExpensive: true })] };
      const refused = (await api(getCtx(), '/api/v1/query', { token: TOKENS.reader, body })).body.results.A;
      assert.equal(refused.status, 403);
      assert.equal(refused.errorCode, 'forbidden');
      assert.match(refused.error, /token "reader" may not set "allowExpensive".*GATEWAY_EXPENSIVE_TOKENS/);
      // Refused before anything runs: no SQL was executed for it.
      assert.equal(refused.executedQueryString, undefined);
      const granted = (await api(getCtx(), '/api/v1/query', { token: BULK_SECRET, body })).body.results.A;
      assert.equal(granted.error, undefined, granted.error);
      assert.ok(granted.frames[0].data.values[0].length > 500);
      // Without the option the reader's query is guarded as usual (422, not 403).
      const guarded = (
        await api(getCtx(), '/api/v1/query', { token: TOKENS.reader, body: { range: WHOLE, queries: [builder()] } })
      ).body.results.A;
      assert.equal(guarded.status, 422);
    });

    it('guards SQL mode too', async () => {
      const sql = (extra: Record<string, unknown> = {}) =>
        api(getCtx(), '/api/v1/query', {
          body: {
            range: WHOLE,
            queries: [{ refId: 'S', mode: 'sql', format: 'table', rawSql: 'SELECT * FROM cagg_cost_rows', ...extra }],
          },
        });
      const refused = (await sql()).body.results.S;
      assert.equal(refused.status, 422);
      assert.equal(refused.errorCode, 'query_too_expensive');
      assert.equal((await sql({ allowExpensive: true })).body.results.S.error, undefined);
    });

    it('compares the plan total cost with QUERY_MAX_COST', async () => {
      const ctx = getCtx();
      const estimate = await estimatePlan(ctx.db, 'SELECT avg(v) FROM cagg_cost_rows', []);
      assert.ok(estimate.cost > 0 && estimate.rowsScanned >= 5000, JSON.stringify(estimate));
      await assert.rejects(
        checkQueryCost(
          ctx.db,
          'SELECT avg(v) FROM cagg_cost_rows',
          [],
          { maxCost: estimate.cost / 2, maxRowsScanned: 0 },
          'X'
        ),
        (err: any) => {
          assert.equal(err.statusCode, 422);
          assert.match(err.message, /cost [\d.e+]+ \(QUERY_MAX_COST/);
          return true;
        }
      );
      await checkQueryCost(
        ctx.db,
        'SELECT avg(v) FROM cagg_cost_rows',
        [],
        { maxCost: estimate.cost * 2, maxRowsScanned: 0 },
        'X'
      );
    });

    it('plans and runs in one step: a refusal carries the estimate, an allowed statement returns the rows it would alone', async () => {
      const ctx = getCtx();
      const plan = { sql: 'SELECT ts, v FROM cagg_cost_rows WHERE ts >= $1 ORDER BY ts', params: [HOUR.from] };
      const run = 'SELECT ts, v FROM cagg_cost_rows WHERE ts >= $1 ORDER BY ts LIMIT $2';
      const estimate = await estimatePlan(ctx.db, plan.sql, plan.params);
      await ctx.db.transaction(
        async (tx) => {
          // The embedded worker plans, compares and runs in one message; pg sends the two statements.
          assert.equal(typeof tx.queryWithinCost, ctx.driver === 'embedded' ? 'function' : 'undefined');
          await assert.rejects(
            queryWithinCost(tx, plan, { maxCost: 0, maxRowsScanned: estimate.rowsScanned / 2 }, 'R', run, [
              HOUR.from,
              5,
            ]),
            (err: any) => {
              assert.equal(err.statusCode, 422);
              assert.equal(err.code, 'query_too_expensive');
              assert.equal(err.details.estimatedRowsScanned, estimate.rowsScanned);
              assert.equal(err.details.estimatedCost, estimate.cost);
              assert.match(err.message, /Query R: the planner estimates \d+ rows read/);
              return true;
            }
          );
        },
        { readOnly: true }
      );
      const alone = await ctx.db.query(run, [HOUR.from, 5]);
      const guarded = await ctx.db.transaction(
        (tx) => queryWithinCost(tx, plan, { maxCost: estimate.cost * 2, maxRowsScanned: 0 }, 'R', run, [HOUR.from, 5]),
        { readOnly: true }
      );
      assert.equal(guarded.rows.length, 5);
      assert.deepEqual(guarded.rows, alone.rows);
      assert.deepEqual(guarded.fields, alone.fields);
    });

    it('answers a guarded builder query with the frames of the same query run without the estimate', async () => {
      const ask = (extra: Record<string, unknown>) =>
        api(getCtx(), '/api/v1/query', { body: { range: HOUR, queries: [builder(extra)] } });
      const guarded = (await ask({})).body.results.A;
      const unguarded = (await ask({ allowExpensive: true })).body.results.A;
      assert.equal(guarded.error, undefined, guarded.error);
      assert.ok(guarded.frames[0].data.values[0].length >= 60);
      assert.deepEqual(guarded.frames[0].data, unguarded.frames[0].data);
    });
  },
  {
    env: {
      QUERY_MAX_ROWS_SCANNED: '2000',
      GATEWAY_TOKENS: `${TOKEN_SPEC};bulk:${BULK_SECRET}:read`,
      GATEWAY_EXPENSIVE_TOKENS: 'bulk',
    },
    setup: async (db) => {
      await db.query('CREATE TABLE cagg_cost_rows (ts timestamptz NOT NULL, v double precision)');
      await db.query('CREATE INDEX ON cagg_cost_rows (ts)');
      await db.query(
        `INSERT INTO cagg_cost_rows SELECT timestamptz '2026-06-01' + i * interval '1 minute', random() FROM generate_series(0, 10079) AS i`
      );
      await db.query('ANALYZE cagg_cost_rows');
    },
  }
);
