import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseInt8, parseNumeric, parseTimestamp, parseTimestamptz } from '../src/pg/value-parsers';
import { forEachDatabase } from './helpers/test-context';

describe('value parsers', () => {
  it('keeps int8 as a number only while it is exact', () => {
    assert.equal(parseInt8('42'), 42);
    assert.equal(parseInt8('-9007199254740991'), -9007199254740991);
    assert.equal(parseInt8('9007199254740993'), '9007199254740993');
  });

  it('keeps numeric as a number only when no digit is lost', () => {
    assert.equal(parseNumeric('12.50'), 12.5);
    assert.equal(parseNumeric('0.001'), 0.001);
    assert.equal(parseNumeric('123456789012345.6789'), '123456789012345.6789');
    assert.equal(parseNumeric('NaN'), 'NaN');
  });

  it('reads timestamps as UTC and timestamptz with their offset', () => {
    assert.equal((parseTimestamp('2024-01-01 12:00:00') as Date).toISOString(), '2024-01-01T12:00:00.000Z');
    assert.equal((parseTimestamptz('2024-01-01 12:00:00+02') as Date).toISOString(), '2024-01-01T10:00:00.000Z');
    assert.equal(
      (parseTimestamptz('2024-01-01 12:00:00.123456+05:30') as Date).toISOString(),
      '2024-01-01T06:30:00.123Z'
    );
  });

  it('reads a UTC session’s timestamptz text to the same milliseconds as Date’s own parser', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    // PostgreSQL's ISO DateStyle text on a UTC session: trailing zeros of the fraction cut.
    const pgText = (ms: number, micros: number) => {
      const d = new Date(ms);
      const frac = micros === 0 ? '' : '.' + pad(micros, 6).replace(/0+$/, '');
      return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}${frac}+00`;
    };
    const seconds = fc.integer({ min: Date.UTC(1, 0, 1) / 1000, max: Date.UTC(9999, 11, 31, 23, 59, 59) / 1000 });
    fc.assert(
      fc.property(seconds, fc.integer({ min: 0, max: 999_999 }), (s, micros) => {
        const text = pgText(s * 1000, micros);
        const byDate = new Date(text.replace(' ', 'T') + ':00');
        const parsed = parseTimestamptz(text);
        assert.ok(parsed instanceof Date, text);
        assert.equal(parsed.getTime(), byDate.getTime(), text);
      }),
      { numRuns: 2000 }
    );
    assert.equal(parseTimestamptz('infinity'), 'infinity');
    assert.equal(parseTimestamptz('-infinity'), '-infinity');
    assert.equal((parseTimestamptz('2024-01-01 12:00:00.5+00') as Date).toISOString(), '2024-01-01T12:00:00.500Z');
    assert.equal((parseTimestamptz('0099-01-01 00:00:00+00') as Date).getUTCFullYear(), 99);
  });
});

forEachDatabase((getCtx) => {
  it('returns the same JavaScript values on both drivers', async () => {
    const { db } = getCtx();
    const { rows } = await db.query(`SELECT
        timestamptz '2024-03-01 10:00:00+00' AS tz, timestamp '2024-03-01 10:00:00' AS ts, date '2024-02-29' AS d,
        12345::int8 AS small8, 9007199254740993::int8 AS big8, 12.50::numeric(6,2) AS num, 1.5::real AS r,
        7::int2 AS i2, true AS b, '{"a":[1]}'::jsonb AS j, interval '90 minutes' AS iv, NULL::int AS n`);
    const row = rows[0] as Record<string, unknown>;
    assert.ok(row.tz instanceof Date && row.ts instanceof Date);
    assert.equal((row.tz as Date).toISOString(), '2024-03-01T10:00:00.000Z');
    assert.equal((row.ts as Date).toISOString(), '2024-03-01T10:00:00.000Z');
    assert.deepEqual(
      { ...row, tz: undefined, ts: undefined },
      {
        tz: undefined,
        ts: undefined,
        d: '2024-02-29',
        small8: 12345,
        big8: '9007199254740993',
        num: 12.5,
        r: 1.5,
        i2: 7,
        b: true,
        j: { a: [1] },
        iv: '01:30:00',
        n: null,
      }
    );
  });

  it('binds parameters of every family', async () => {
    const { db } = getCtx();
    const { rows } = await db.query(
      `SELECT $1::timestamptz AS t, $2::int AS i, $3::text AS s, $4::boolean AS b, $5::numeric AS n`,
      [new Date('2024-05-05T05:05:05.005Z'), 7, "it's", false, '123456789012345678901234567890']
    );
    assert.deepEqual(rows[0], {
      t: new Date('2024-05-05T05:05:05.005Z'),
      i: 7,
      s: "it's",
      b: false,
      n: '123456789012345678901234567890',
    });
  });

  it('binds a Date to timestamp and date columns as its UTC wall time, whatever the process time zone', async () => {
    const { db } = getCtx();
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const at = new Date('2024-01-01T02:30:00.000Z');
      const { rows } = await db.query(`SELECT $1::timestamp AS ts, $1::date AS d, $1::timestamptz AS tz`, [at]);
      assert.deepEqual(rows[0], { ts: at, d: '2024-01-01', tz: at });
    } finally {
      if (zone === undefined) {
        delete process.env.TZ;
      } else {
        process.env.TZ = zone;
      }
    }
  });

  it('serialises concurrent transactions without mixing their statements', async () => {
    const { db } = getCtx();
    await db.query('CREATE TABLE IF NOT EXISTS tx_probe (k int)');
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO tx_probe VALUES ($1)', [i]);
          if (i % 2) {
            throw new Error('roll back');
          }
          return i;
        })
      )
    );
    assert.equal(results.filter((r) => r.status === 'rejected').length, 4);
    const { rows } = await db.query<{ k: number }>('SELECT k FROM tx_probe ORDER BY k');
    assert.deepEqual(
      rows.map((r) => r.k),
      [0, 2, 4, 6]
    );
  });
});
