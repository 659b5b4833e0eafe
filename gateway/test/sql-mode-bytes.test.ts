import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase, type TestContext } from './helpers/test-context';
import { api } from './helpers/http';
import { createFixtures } from './helpers/fixtures';
import { Params } from '../src/sql/builder-context';
import {
  FIXED_VALUE_BYTES,
  isResultBytesStop,
  resultBytesCappedSql,
  type SizedColumn,
} from '../src/query/result-bytes-sql';

/**
 * The byte cap (BODY_LIMIT) holds inside the database: a result far larger than the cap is
 * stopped where it is produced, answered 422 `result_too_large`, and never reaches the
 * gateway's memory. Results under the cap come back exactly as the statement gives them.
 */

const MAX_BYTES = 4 * 1024 * 1024;
const MB = 1024 * 1024;
/** A row of about 1 MB: md5 text repeated (it compresses to almost nothing when stored). */
const MEGABYTE_TEXT = (i: string) => `repeat(md5(${i}::text), 32768)`;

interface QueryResult {
  status?: number;
  errorCode?: string;
  error?: string;
  frames: Array<{ schema: { fields: Array<{ name: string; type: string }> }; data: { values: unknown[][] } }>;
}

async function run(ctx: TestContext, query: Record<string, unknown>): Promise<QueryResult> {
  const res = await api(ctx, '/api/v1/query', {
    body: {
      range: { from: '2024-01-01T00:00:00Z', to: '2024-01-02T00:00:00Z' },
      queries: [{ refId: 'A', format: 'table', ...query }],
    },
  });
  assert.equal(res.status, 200, res.text);
  return res.body.results.A;
}

const sql = (ctx: TestContext, rawSql: string) => run(ctx, { mode: 'sql', rawSql });

/** The most the process's resident memory grew above its level before `fn`, sampled while it ran. */
async function peakRssGrowth<T>(fn: () => Promise<T>): Promise<{ value: T; growth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 2);
  try {
    const value = await fn();
    sample();
    return { value, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

function assertTooLarge(r: QueryResult): void {
  assert.equal(r.status, 422, r.error);
  assert.equal(r.errorCode, 'result_too_large');
  assert.match(r.error ?? '', new RegExp(`larger than ${MAX_BYTES} bytes`));
}

async function stillServing(ctx: TestContext): Promise<void> {
  const r = await sql(ctx, 'SELECT device, sum(value) AS total FROM metrics GROUP BY device ORDER BY device');
  assert.equal(r.error, undefined, r.error);
  assert.deepEqual(r.frames[0].data.values, [
    ['d1', 'd2', 'd3'],
    [75, 135, 163],
  ]);
}

forEachDatabase(
  (getCtx) => {
    it('stops a 200 MB result at the byte cap with a 422, without the result reaching the gateway', async () => {
      const ctx = getCtx();
      await stillServing(ctx); // warms the SQL-mode path (role, pools) before measuring
      const { value, growth } = await peakRssGrowth(() =>
        sql(ctx, `SELECT i, ${MEGABYTE_TEXT('i')} AS blob FROM generate_series(1, 200) i`)
      );
      assertTooLarge(value);
      assert.ok(growth < 80 * MB, `the process grew by ${Math.round(growth / MB)} MB for a 200 MB result`);
      await stillServing(ctx);
    });

    it('stops at the first row when a single value is larger than the cap', async () => {
      const ctx = getCtx();
      // Six rows of 32 MB each: the first one already passes the cap.
      const { value, growth } = await peakRssGrowth(() =>
        sql(ctx, `SELECT repeat(md5(i::text), 1000000) FROM generate_series(1, 6) i`)
      );
      assertTooLarge(value);
      assert.ok(growth < 80 * MB, `the process grew by ${Math.round(growth / MB)} MB for a 192 MB result`);
      await stillServing(ctx);
    });

    it('counts stored values at their full size, not their compressed size', async () => {
      const ctx = getCtx();
      const stored = await ctx.db.query<{ stored: number; full: number }>(
        `SELECT sum(pg_column_size(note))::int8 AS stored, sum(octet_length(note))::int8 AS full FROM notes`
      );
      // The premise: on disk the table is far smaller than the cap, its text far larger.
      assert.ok(
        stored.rows[0].stored < MAX_BYTES && stored.rows[0].full > 10 * MAX_BYTES,
        JSON.stringify(stored.rows[0])
      );
      assertTooLarge(await sql(ctx, 'SELECT * FROM notes'));
      assertTooLarge(await sql(ctx, 'SELECT id, note, id AS again FROM notes ORDER BY id DESC'));
      await stillServing(ctx);
    });

    it('stops the statement in the database itself, counting each row at its full text size', async () => {
      const { db } = getCtx();
      const columns: SizedColumn[] = [
        { name: 'id', fixedWidth: true },
        { name: 'note', fixedWidth: false },
      ];
      const params = new Params();
      const all = resultBytesCappedSql('SELECT id, note FROM notes ORDER BY id', columns, MAX_BYTES, params);
      await assert.rejects(
        db.transaction((tx) => tx.query(all, params.values), { readOnly: true }),
        (err) => isResultBytesStop(err)
      );
      // Under the cap: the statement's rows in its order, and only its columns.
      const few = new Params();
      const ok = await db.query<Record<string, unknown>>(
        resultBytesCappedSql('SELECT id, note FROM notes WHERE id <= 3 ORDER BY id DESC', columns, MAX_BYTES, few),
        few.values
      );
      assert.deepEqual(
        ok.fields.map((f) => f.name),
        ['id', 'note']
      );
      assert.deepEqual(
        ok.rows.map((r) => r.id),
        [3, 2, 1]
      );
      // Each row counts as its fixed-width value plus its text and quotes: three rows fit a cap
      // of exactly their size, and stop one byte below it.
      const row = FIXED_VALUE_BYTES + MB + 3;
      const exact = new Params();
      const fits = await db.query(
        resultBytesCappedSql('SELECT id, note FROM notes WHERE id <= 3', columns, 3 * row, exact),
        exact.values
      );
      assert.equal(fits.rows.length, 3);
      const under = new Params();
      await assert.rejects(
        db.transaction(
          (tx) =>
            tx.query(
              resultBytesCappedSql('SELECT id, note FROM notes WHERE id <= 3', columns, 3 * row - 1, under),
              under.values
            ),
          { readOnly: true }
        ),
        (err) => isResultBytesStop(err)
      );
    });

    it('holds builder queries over wide text columns to the same cap, in the database', async () => {
      const ctx = getCtx();
      const { value, growth } = await peakRssGrowth(() =>
        run(ctx, { mode: 'builder', table: 'notes', metrics: [{ column: 'note', aggregation: 'none' }] })
      );
      assertTooLarge(value);
      assert.ok(growth < 80 * MB, `the process grew by ${Math.round(growth / MB)} MB`);
      // Numbers only: untouched, and the few rows that fit come back.
      const small = await run(ctx, {
        mode: 'builder',
        table: 'notes',
        metrics: [{ column: 'id', aggregation: 'max' }],
      });
      assert.equal(small.error, undefined, small.error);
      assert.deepEqual(small.frames[0].data.values, [[200]]);
      const fits = await run(ctx, {
        mode: 'builder',
        table: 'notes',
        metrics: [{ column: 'note', aggregation: 'none' }],
        limit: 3,
        orderBy: [{ column: 'note', direction: 'asc' }],
      });
      assert.equal(fits.error, undefined, fits.error);
      assert.equal(fits.frames[0].data.values[0].length, 3);
      assert.deepEqual(
        fits.frames[0].schema.fields.map((f) => f.name),
        ['note']
      );
    });

    it('stops many small rows by their total before the row cap', async () => {
      const r = await sql(getCtx(), `SELECT i, repeat('x', 100) AS pad FROM generate_series(1, 90000) i`);
      assertTooLarge(r);
    });

    it('answers results just under the cap in full', async () => {
      const ctx = getCtx();
      const r = await sql(ctx, `SELECT i, ${MEGABYTE_TEXT('i')} AS blob FROM generate_series(1, 3) i ORDER BY i DESC`);
      assert.equal(r.error, undefined, r.error);
      assert.deepEqual(
        r.frames[0].schema.fields.map((f) => f.name),
        ['i', 'blob']
      );
      assert.deepEqual(r.frames[0].data.values[0], [3, 2, 1]);
      const blobs = r.frames[0].data.values[1] as string[];
      assert.deepEqual(
        blobs.map((b) => b.length),
        [MB, MB, MB]
      );
      assert.ok(blobs[0].startsWith('eccbc87e4b5ce2fe28308fd9f2a7baf3')); // md5('3')
    });

    it('keeps row order, duplicate column names, types and NULLs, and leaks no helper column', async () => {
      const ctx = getCtx();
      const desc = await sql(ctx, 'SELECT i FROM generate_series(1, 1000) i ORDER BY i DESC');
      assert.deepEqual(
        desc.frames[0].data.values[0],
        Array.from({ length: 1000 }, (_, k) => 1000 - k)
      );

      const dup = await sql(ctx, `SELECT 1 AS a, 'two' AS a, NULL::text AS a, 4.5::numeric AS "b"`);
      assert.deepEqual(
        dup.frames[0].schema.fields.map((f) => [f.name, f.type]),
        [
          ['a', 'number'],
          ['a', 'string'],
          ['a', 'string'],
          ['b', 'number'],
        ]
      );
      assert.deepEqual(dup.frames[0].data.values, [[1], ['two'], [null], [4.5]]);

      // SELECT * of a table with every type family: the same as the database's own answer.
      const star = await sql(ctx, 'SELECT * FROM items ORDER BY sku');
      const direct = await ctx.db.query('SELECT * FROM items ORDER BY sku LIMIT 0');
      assert.deepEqual(
        star.frames[0].schema.fields.map((f) => f.name),
        direct.fields.map((f) => f.name)
      );
      assert.deepEqual(star.frames[0].data.values[0], ['a-1', 'b-2']);
      assert.deepEqual(star.frames[0].data.values[3], [12.5, 0.1]);
      assert.deepEqual(star.frames[0].data.values[6], [{ k: 1 }, [1, 2]]);
      assert.deepEqual(star.frames[0].data.values[10], ['first', null]);
      for (const r of [desc, dup, star]) {
        assert.ok(
          !r.frames[0].schema.fields.some((f) => f.name.includes('result_bytes')),
          JSON.stringify(r.frames[0].schema.fields)
        );
      }
    });

    it('caps every wrappable statement form, and leaves the others as they were', async () => {
      const ctx = getCtx();
      const forms: Array<[string, unknown[][]]> = [
        ['WITH x AS (SELECT 2 AS n) SELECT n FROM x', [[2]]],
        [
          'VALUES (1, 2), (3, 4)',
          [
            [1, 3],
            [2, 4],
          ],
        ],
        [
          'TABLE other.things',
          [
            [1, 2],
            ['one', 'two'],
          ],
        ],
        ['(SELECT 1 AS n) UNION ALL (SELECT 2)', [[1, 2]]],
        ['SELECT 5 AS n -- a trailing comment', [[5]]],
        ['SELECT FROM generate_series(1, 3)', []],
      ];
      for (const [statement, values] of forms) {
        const r = await sql(ctx, statement);
        assert.equal(r.error, undefined, `${statement}: ${r.error}`);
        assert.deepEqual(r.frames[0].data.values, values, statement);
      }
      const show = await sql(ctx, 'SHOW transaction_read_only');
      assert.deepEqual(show.frames[0].data.values, [['on']]);
      const explain = await sql(ctx, 'EXPLAIN SELECT * FROM metrics');
      assert.equal(explain.error, undefined, explain.error);
      // The byte cap also stops a result past it, whichever form the statement has.
      assertTooLarge(
        await sql(
          ctx,
          `WITH big AS (SELECT ${MEGABYTE_TEXT('i')} AS blob FROM generate_series(1, 10) i) SELECT * FROM big`
        )
      );
      assertTooLarge(
        await sql(
          ctx,
          `VALUES (${MEGABYTE_TEXT('1')}), (${MEGABYTE_TEXT('2')}), (${MEGABYTE_TEXT('3')}), (${MEGABYTE_TEXT('4')})`
        )
      );
    });

    it('keeps ad hoc filters working on the capped statement', async () => {
      const r = await run(getCtx(), {
        mode: 'sql',
        rawSql: 'SELECT device, value FROM metrics WHERE $__adHocFilters ORDER BY value DESC',
        adhocFilters: [{ key: 'device', operator: '=', value: 'd2' }],
      });
      assert.equal(r.error, undefined, r.error);
      assert.deepEqual(r.frames[0].data.values, [
        ['d2', 'd2', 'd2', 'd2', 'd2', 'd2'],
        [25, 24, 23, 22, 21, 20],
      ]);
    });
  },
  {
    env: { BODY_LIMIT: String(MAX_BYTES) },
    setup: async (db, info) => {
      await createFixtures(db, info.timescale);
      await db.query(`CREATE TABLE notes (id int, note text)`);
      await db.query(`INSERT INTO notes SELECT i, ${MEGABYTE_TEXT('i')} FROM generate_series(1, 200) i`);
    },
  }
);
