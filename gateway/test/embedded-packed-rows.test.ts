import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEmbeddedDb } from '../src/db/embedded-driver';
import type { Db, DbSession } from '../src/db/types';

/**
 * Rows read as many (packed into one value by the embedded worker) equal the rows of a plain
 * run, value for value: float4 and float8 precision, NaN and ±Infinity, NULLs, timestamps to the
 * microsecond, text with quotes, backslashes, control characters and unicode, big int8 and numeric.
 */

const EDGE_ROWS = `
  SELECT * FROM (VALUES
    (timestamptz '2026-06-01 00:00:00.123456+00', timestamp '2026-06-01 00:00:00.000001', date '2026-06-01',
     'plain'::text, 'a "quoted" \\ label'::varchar, 0.1::float4, 0.1::float8, 1::int2, 2::int4, 9007199254740993::int8,
     12345678901234567890.123::numeric),
    (timestamptz '1999-12-31 23:59:59.999999+05:30', timestamp '0044-03-15 12:00:00 BC', date 'infinity',
     E'tab\\there\\nnewline', 'ünïcödé ✓ 😀', 'NaN'::float4, 'Infinity'::float8, '-32768'::int2, NULL, -1::int8,
     'NaN'::numeric),
    (timestamptz 'infinity', NULL, NULL, NULL, '', '-Infinity'::float4, '-Infinity'::float8, NULL, 0, NULL,
     1.50::numeric),
    (NULL, timestamp '2026-01-01', date '2000-02-29', '''', '[1, "x"]', 3.4028235e38::float4, 5e-324::float8,
     0, '-2147483648'::int4, 9223372036854775807::int8, NULL)
  ) AS t(tz, ts, d, label, vc, f4, f8, i2, i4, i8, num)
  ORDER BY label NULLS FIRST`;

describe('embedded driver: rows read as many', () => {
  let db: Db;
  before(async () => {
    db = await createEmbeddedDb({ dataDir: undefined });
  });
  after(() => db.close());

  const both = (sql: string, params: unknown[] = []) =>
    db.transaction(
      async (tx: DbSession) => {
        assert.ok(tx.queryMany, 'the embedded driver reads many rows packed');
        return { plain: await tx.query(sql, params), many: await tx.queryMany(sql, params) };
      },
      { readOnly: true }
    );

  it('equal the plain rows for edge values of every packed type', async () => {
    const { plain, many } = await both(EDGE_ROWS);
    assert.equal(plain.rows.length, 4);
    assert.deepEqual(many.fields, plain.fields);
    assert.deepEqual(many.rows, plain.rows);
    assert.equal(many.rowCount, plain.rowCount);
    // Checked by hand as well, so the equality above is not of two equally wrong reads.
    const nan = plain.rows.find((r) => r.vc === 'ünïcödé ✓ 😀')!;
    assert.ok(Number.isNaN(nan.f4));
    assert.equal(nan.f8, Infinity);
    assert.equal(nan.i4, null);
    const first = plain.rows.find((r) => r.label === 'plain')!;
    assert.equal(first.f4, 0.1);
    assert.equal(first.i8, '9007199254740993');
    assert.equal((first.tz as Date).toISOString(), '2026-06-01T00:00:00.123Z');
  });

  it('keep the order, bound parameters and repeated column names of the statement', async () => {
    const sql = `SELECT g AS n, -g AS n, g::float8 / 3 AS v FROM generate_series($1::int, $2::int) AS g ORDER BY g DESC`;
    const { plain, many } = await both(sql, [1, 7200]);
    assert.equal(many.rows.length, 7200);
    assert.deepEqual(many.rows, plain.rows);
    assert.deepEqual(many.fields, plain.fields);
    assert.equal(many.rows[0].v, 2400);
  });

  it('run plainly what cannot be packed (bool, arrays) and answer no rows as none', async () => {
    const odd = await both(`SELECT true AS b, ARRAY[1, 2] AS a, 'x '::char(3) AS c`);
    assert.deepEqual(odd.many.rows, [{ b: true, a: [1, 2], c: 'x  ' }]);
    assert.deepEqual(odd.many.rows, odd.plain.rows);
    const none = await both(`SELECT 1::float8 AS v WHERE false`);
    assert.deepEqual(none.many.rows, []);
    assert.deepEqual(none.many.fields, none.plain.fields);
  });

  it('read statements of more columns than a function takes arguments (100) plainly, the same rows', async () => {
    const columns = Array.from({ length: 120 }, (_, i) => `g + ${i} AS c${i}`).join(', ');
    const { plain, many } = await both(`SELECT ${columns} FROM generate_series(1, 3) AS g`);
    assert.equal(many.rows.length, 3);
    assert.equal(many.rows[2].c119, 122);
    assert.deepEqual(many.rows, plain.rows);
  });

  it('fail as the plain statement does', async () => {
    await assert.rejects(
      db.transaction((tx) => tx.queryMany!(`SELECT 1 / $1::int AS v`, [0]), { readOnly: true }),
      /division by zero/
    );
  });
});
