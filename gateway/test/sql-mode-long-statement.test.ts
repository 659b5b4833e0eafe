import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ApiError } from '../src/errors';
import { loadSqlParser, MAX_SQL_CHARACTERS } from '../src/pg/parse-sql';
import { checkReadOnlyStatement } from '../src/sql/read-only-statement';
import { checkStatement, IN_PROCESS_CHARACTERS } from '../src/sql/statement-check-thread';
import { forEachDatabase } from './helpers/test-context';
import { api } from './helpers/http';

/** The parser's worst case: a flat list of tiny expressions, `n` ones in an array. */
const manyOnes = (n: number) => `SELECT array_length(ARRAY[${Array(n).fill('1').join(',')}], 1) AS n`;
const RANGE = { from: '2024-01-01T00:00:00Z', to: '2024-01-01T01:00:00Z' };

/** The longest event-loop stall (ms) while `work` runs. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  await work();
  h.disable();
  return h.max / 1e6;
}

describe('long SQL-mode statements are checked off the event loop', () => {
  it('gives the same answer as the check on the event loop, and the loop keeps turning', async () => {
    await loadSqlParser();
    const sql = manyOnes(30_000);
    assert.ok(sql.length > IN_PROCESS_CHARACTERS && sql.length < MAX_SQL_CHARACTERS);
    await checkStatement(manyOnes(3000)); // the thread's start (and its parser's) is not measured
    const t0 = performance.now();
    const inline = checkReadOnlyStatement(sql);
    const inlineMs = performance.now() - t0;
    let offLoop: unknown;
    const stall = await longestStall(async () => {
      offLoop = await checkStatement(sql);
    });
    assert.deepEqual(offLoop, inline);
    // Measured against the same parse on the loop in this run, not a fixed time.
    assert.ok(
      stall < inlineMs / 2,
      `the loop stalled ${stall.toFixed(1)} ms; the parse on the loop takes ${inlineMs.toFixed(1)} ms`
    );
  });

  it('refuses on the thread with the same errors: syntax (with the offset), several statements', async () => {
    const pad = ` /* ${'x'.repeat(IN_PROCESS_CHARACTERS)} */`;
    await assert.rejects(checkStatement(`SELECT 1 FROM${pad} WHERE`), (err: ApiError) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.statusCode, 400);
      assert.equal(err.code, 'invalid_sql');
      assert.equal(typeof (err.details as { position?: number }).position, 'number');
      return true;
    });
    await assert.rejects(checkStatement(`SELECT 1;${pad} SELECT 2`), { code: 'multiple_statements' });
    await assert.rejects(checkStatement(`SELECT 1${' '.repeat(MAX_SQL_CHARACTERS)}`), { code: 'sql_too_long' });
  });
});

forEachDatabase((ctx) => {
  it('runs a 58,000-character statement through /api/v1/query', async () => {
    const rawSql = manyOnes(29_000);
    const res = await api(ctx(), '/api/v1/query', {
      body: { range: RANGE, queries: [{ refId: 'A', mode: 'sql', format: 'table', rawSql }] },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.results.A.error, undefined, res.body.results.A.error);
    assert.deepEqual(res.body.results.A.frames[0].data.values, [[29_000]]);
  });
});
