import { it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { forEachDatabase, type TestContext } from './helpers/test-context';
import { api, qs } from './helpers/http';
import { createFixtures, fixtureCounts } from './helpers/fixtures';

/**
 * Hostile input on the REST data API: every bad request gets the right status and the
 * gateway's `{ error, message, details }` naming what is wrong — never PostgreSQL's bare text
 * where the gateway can say it itself, never Fastify's default error shape — and a POST that
 * fails writes nothing. Values only the database can judge (varchar(n), numeric(p,s), enum,
 * uuid, CHECK) come back with the row and column they belong to, whichever write path ran:
 * streamed COPY, COPY of checked rows, or INSERT (the embedded database has no COPY).
 */

const T0 = '2025-01-01T00:00:00.000Z';

interface RowErrorDetail {
  row: number;
  column?: string;
  reason: string;
}

/** A raw HTTP exchange: what the server answered before closing. */
function rawExchange(ctx: TestContext, text: string): Promise<{ status: number; head: string; body: any }> {
  const url = new URL(ctx.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (received += d));
    socket.on('error', () => undefined); // closed by the server while we wrote: read what it said
    socket.on('close', () => {
      const [head, body] = received.split('\r\n\r\n', 2);
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]);
      if (!status) {
        return reject(new Error(`no answer: ${JSON.stringify(received.slice(0, 200))}`));
      }
      resolve({ status, head, body: JSON.parse(body) });
    });
    socket.write(text);
  });
}

forEachDatabase(
  (getCtx) => {
    const get = (path: string) => api(getCtx(), path);
    const post = (table: string, body: unknown, contentType?: string) =>
      api(getCtx(), `/timescaledb/data/${table}`, {
        method: 'POST',
        body,
        headers: contentType ? { 'content-type': contentType } : {},
      });
    const typedCount = async () =>
      (await getCtx().db.query<{ n: number }>('SELECT count(*)::int AS n FROM typed_rows')).rows[0].n;

    /** A good typed_rows row; `i` keeps them apart. */
    const goodRow = (i: number) => ({
      id: i,
      small: i % 100,
      big: String(2n ** 62n + BigInt(i)),
      ratio: i / 4,
      amount: (i % 900) + 0.25,
      code: `c${i % 10}`,
      mood: i % 2 ? 'happy' : 'sad',
      uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
      doc: { i },
      plain: { i },
      label: i % 3 === 0 ? `line one\nline two ${i}` : `label ${i}`,
    });

    /** One bad value at `row` of `count` good rows: the answer names that row and column and nothing is written. */
    async function assertRowRefused(
      count: number,
      row: number,
      column: string,
      value: unknown,
      reason: RegExp,
      shuffleKeys = false
    ) {
      const rows: Array<Record<string, unknown>> = Array.from({ length: count }, (_, i) => goodRow(i));
      rows[row] = { ...rows[row], [column]: value };
      // Keys in another order on some rows: the streamed COPY gives way to checking all rows first.
      const body = shuffleKeys
        ? rows.map((r, i) => (i % 2 ? Object.fromEntries(Object.entries(r).reverse()) : r))
        : rows;
      const res = await post('typed_rows', body);
      assert.equal(res.status, 400, `${column}=${JSON.stringify(value)}: ${res.text}`);
      assert.equal(res.body.error, 'invalid_value');
      assert.match(res.body.message, new RegExp(`^Row ${row}, column "${column}": `), res.text);
      const errors = res.body.details.errors as RowErrorDetail[];
      assert.deepEqual(
        errors.map((e) => [e.row, e.column]),
        [[row, column]],
        res.text
      );
      assert.match(errors[0].reason, reason);
      assert.equal(await typedCount(), 0, 'nothing is written');
    }

    it('refuses from after to with 400 invalid_range naming both, as the query API does', async () => {
      const res = await get(
        `/timescaledb/data/metrics${qs([
          ['from', '2030-01-01'],
          ['to', '2020-01-01'],
        ])}`
      );
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error, 'invalid_range');
      assert.match(res.body.message, /"from" \(2030-01-01\) is after "to" \(2020-01-01\)/);
      assert.deepEqual(res.body.details, { from: '2030-01-01', to: '2020-01-01' });
      // Epoch milliseconds against ISO text, one millisecond apart.
      const mixed = await get(
        `/timescaledb/data/metrics${qs([
          ['from', String(Date.parse('2024-01-01T00:20:00.001Z'))],
          ['to', '2024-01-01T00:20:00Z'],
        ])}`
      );
      assert.deepEqual([mixed.status, mixed.body.error], [400, 'invalid_range']);
      const same = await get(
        `/timescaledb/data/metrics${qs([
          ['from', '2024-01-01T00:20:00Z'],
          ['to', String(Date.parse('2024-01-01T00:20:00Z'))],
        ])}`
      );
      assert.equal(same.status, 200, same.text);
      assert.equal(same.body.length, 3, 'from = to selects the rows at that instant');
    });

    it('checks bucket with the query engine interval parser: 400 invalid_bucket naming it', async () => {
      for (const bucket of ['abc', '0s', '-5m', '1 fortnight', "1h'; drop table metrics; --"]) {
        const res = await get(
          `/timescaledb/data/metrics${qs([
            ['bucket', bucket],
            ['agg', 'avg'],
          ])}`
        );
        assert.equal(res.status, 400, `${bucket}: ${res.text}`);
        assert.equal(res.body.error, 'invalid_bucket', bucket);
        assert.ok(res.body.message.includes(JSON.stringify(bucket)), res.body.message);
        assert.doesNotMatch(res.body.message, /invalid input syntax/);
        assert.equal(res.body.details.param, 'bucket');
      }
      // What it reads, it reads the query engine's way: calendar months too, on both databases.
      const monthly = await get(
        `/timescaledb/data/metrics${qs([
          ['bucket', '1M'],
          ['agg', 'max'],
          ['columns', 'value'],
        ])}`
      );
      assert.equal(monthly.status, 200, monthly.text);
      assert.deepEqual(monthly.body, [{ time: '2024-01-01T00:00:00.000Z', value: 35 }]);
      const quarterHours = await get(
        `/timescaledb/data/metrics${qs([
          ['bucket', '15 minutes'],
          ['agg', 'count'],
          ['columns', 'value'],
          ['device', 'eq.d1'],
        ])}`
      );
      assert.deepEqual(
        quarterHours.body.map((r: { value: number }) => r.value),
        [2, 1, 2, 1]
      );
    });

    it('refuses a NUL character in filter values before the database, naming the column', async () => {
      for (const filter of ['eq.a\u0000b', 'like.*\u0000*', 'in.(a,b\u0000)', 'neq.\u0000']) {
        const res = await get(`/timescaledb/data/metrics${qs([['device', filter]])}`);
        assert.equal(res.status, 400, `${JSON.stringify(filter)}: ${res.text}`);
        assert.equal(res.body.error, 'invalid_value');
        assert.match(res.body.message, /"device".*NUL/);
        assert.doesNotMatch(res.body.message, /byte sequence/);
        assert.equal(res.body.details.column, 'device');
      }
    });

    it('checks integer filter values against the column type range', async () => {
      const res = await get(`/timescaledb/data/metrics${qs([['count', 'eq.99999999999']])}`);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error, 'invalid_value');
      assert.match(res.body.message, /"count".*out of range for integer/);
      assert.equal((await get(`/timescaledb/data/metrics${qs([['count', 'lt.2147483647']])}`)).status, 200);
    });

    it('checks int2 / int4 / int8 ranges and whole numbers on POST, with row and column', async () => {
      const cases: Array<[string, unknown, RegExp]> = [
        ['id', 99_999_999_999, /99999999999 is out of range for integer/],
        ['id', '-2147483649', /out of range for integer/],
        ['id', 1.5, /expected an integer/],
        ['small', 40_000, /out of range for smallint/],
        ['small', '1e3', /expected an integer/],
        ['big', '9223372036854775808', /out of range for bigint/],
        ['big', 2 ** 60, /send it as a string/],
        ['ratio', 1e39, /out of range for real/],
        ['ratio', '1e-60', /out of range for real/],
      ];
      for (const [column, value, reason] of cases) {
        await assertRowRefused(3, 1, column, value, reason);
      }
      // The edges themselves fit.
      const edges = await post('typed_rows', [
        { ...goodRow(1), id: -2147483648, small: 32767, big: '-9223372036854775808' },
      ]);
      assert.equal(edges.status, 201, edges.text);
      const back = await getCtx().db.query<{ id: number; small: number; big: string }>(
        'SELECT id, small, big FROM typed_rows'
      );
      assert.deepEqual(back.rows, [{ id: -2147483648, small: 32767, big: '-9223372036854775808' }]);
      await getCtx().db.query('TRUNCATE typed_rows');
    });

    it('refuses NUL in POSTed text and jsonb values with row and column; json keeps the escape', async () => {
      await assertRowRefused(3, 2, 'label', 'a\u0000b', /NUL/);
      await assertRowRefused(3, 0, 'doc', { s: 'a\u0000b' }, /jsonb cannot hold/);
      const csv = await post('typed_rows', `id,label\n1,ok\n2,"x\u0000y"\n`, 'text/csv');
      assert.equal(csv.status, 400, csv.text);
      assert.deepEqual(
        csv.body.details.errors.map((e: RowErrorDetail) => [e.row, e.column]),
        [[1, 'label']]
      );
      const json = await post('typed_rows', [{ id: 7, plain: { s: 'a\u0000b' } }]);
      assert.equal(json.status, 201, json.text);
      const back = await getCtx().db.query<{ t: string }>(`SELECT plain::text AS t FROM typed_rows WHERE id = 7`);
      assert.equal(back.rows[0].t, '{"s":"a\\u0000b"}');
      await getCtx().db.query('TRUNCATE typed_rows');
    });

    for (const [path, count, shuffle] of [
      ['a small batch (INSERT)', 4, false],
      ['a large batch streamed into COPY on PostgreSQL', 40, false],
      ['a large batch checked first, then COPY on PostgreSQL', 40, true],
    ] as const) {
      it(`maps values only the database judges to their row and column: ${path}`, async () => {
        const row = count - 2; // after values with newlines, which take more than one COPY line
        await assertRowRefused(count, row, 'code', 'toolong', /character varying\(3\)/, shuffle);
        await assertRowRefused(count, row, 'amount', 12345.5, /numeric field overflow/, shuffle);
        await assertRowRefused(count, row, 'mood', 'grumpy', /enum/, shuffle);
        await assertRowRefused(count, row, 'uid', 'not-a-uuid', /uuid/, shuffle);
      });
    }

    it('maps a CHECK violation to its row and a NOT NULL one to its row and column', async () => {
      const rows = [goodRow(1), { ...goodRow(2), small: -5 }, goodRow(3)];
      const check = await post('typed_rows', rows);
      assert.equal(check.status, 400, check.text);
      assert.equal(check.body.error, 'constraint_violation');
      assert.match(check.body.message, /^Row 1: .*typed_rows_small_check/);
      assert.deepEqual(
        check.body.details.errors.map((e: RowErrorDetail) => e.row),
        [1]
      );
      const nulls = await post('typed_rows', [goodRow(1), goodRow(2), { ...goodRow(3), mood: null }]);
      assert.equal(nulls.status, 400, nulls.text);
      assert.match(nulls.body.message, /^Row 2, column "mood": /);
      assert.equal(await typedCount(), 0);
    });

    it('maps a value the database refuses in a CSV body to its record', async () => {
      const res = await post('typed_rows', `id,label,code\n1,"two\nlines",a\n2,x,b\n3,y,long\n`, 'text/csv');
      assert.equal(res.status, 400, res.text);
      assert.match(res.body.message, /^Row 2, column "code": value too long/);
      assert.equal(await typedCount(), 0);
    });

    it('says why a JSON body is refused for a prototype key instead of calling it invalid JSON', async () => {
      const res = await post('typed_rows', '[{"id": 1, "doc": {"__proto__": {"x": 1}}}]', 'application/json');
      assert.deepEqual([res.status, res.body.error], [400, 'malformed_body']);
      assert.match(res.body.message, /__proto__/);
      const broken = await post('typed_rows', '[{"id": 1,', 'application/json');
      assert.deepEqual([broken.status, broken.body.error], [400, 'malformed_body']);
      assert.match(broken.body.message, /not valid JSON: .*JSON/);
    });

    it('answers client errors of the HTTP layer in the gateway shape', async () => {
      const ctx = getCtx();
      const huge = await get(`/timescaledb/data/metrics${qs([['device', `in.(${'d1,'.repeat(8000)}d2)`]])}`);
      assert.equal(huge.status, 431);
      assert.equal(huge.body.error, 'headers_too_large');
      assert.match(huge.body.message, /larger than \d+ bytes/);
      assert.equal(huge.body.statusCode, undefined, 'not Fastify’s default shape');

      const badLine = await rawExchange(ctx, 'GET /timescaledb/data/metrics HTTP/9.9 nonsense\r\nHost: x\r\n\r\n');
      assert.equal(badLine.status, 400);
      assert.equal(badLine.body.error, 'bad_request');
      assert.match(badLine.head, /content-type: application\/json/i);

      const badHeader = await rawExchange(ctx, 'GET / HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n');
      assert.deepEqual([badHeader.status, badHeader.body.error], [400, 'bad_request']);

      const badUrl = await get('/timescaledb/data/metrics%E0%A4%A');
      assert.deepEqual([badUrl.status, badUrl.body.error], [400, 'bad_url']);
      assert.match(badUrl.body.message, /percent-encoding/);

      const longName = await get(`/timescaledb/data/${'t'.repeat(600)}`);
      assert.deepEqual([longName.status, longName.body.error], [414, 'uri_too_long']);
      // Still serving.
      assert.equal((await get('/timescaledb/data/metrics?limit=1')).status, 200);
    });

    it('left the fixture tables untouched', async () => {
      assert.deepEqual(await fixtureCounts(getCtx().db), { metrics: 18, items: 2, things: 2, odd: 1, secrets: 1 });
    });
  },
  {
    env: { COPY_THRESHOLD_ROWS: '10' },
    setup: async (db, { timescale }) => {
      await createFixtures(db, timescale);
      await db.query(`CREATE TYPE mood AS ENUM ('happy', 'sad')`);
      await db.query(`CREATE TABLE typed_rows (
          id int, small smallint CHECK (small >= 0), big bigint, ratio real, amount numeric(5, 2), code varchar(3),
          mood mood NOT NULL DEFAULT 'happy', uid uuid, doc jsonb, plain json, label text)`);
    },
  }
);
