import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePgTimestamp, parseTimestamp, parseTimestamptz } from '../src/pg/value-parsers';
import { convertValue } from '../src/frames/result-fields';
import { forEachDatabase } from './helpers/test-context';
import { api } from './helpers/http';

/**
 * Timestamps outside years 1–9999 — before Christ ("0044-03-15 12:00:00+00 BC") and after
 * 9999 — read as Dates like every other timestamp, on both drivers and through SQL mode.
 */

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

describe('timestamps outside years 1–9999', () => {
  it('reads years before 1 AD as astronomical years (1 BC is year 0)', () => {
    assert.equal(iso(parseTimestamptz('0044-03-15 12:00:00+00 BC')), '-000043-03-15T12:00:00.000Z');
    assert.equal(iso(parseTimestamptz('0001-12-31 23:59:59.999999+00 BC')), '0000-12-31T23:59:59.999Z');
    assert.equal(iso(parseTimestamp('0001-01-01 00:00:00 BC')), '0000-01-01T00:00:00.000Z');
    assert.equal(iso(parseTimestamp('4713-11-24 00:00:00 BC')), '-004712-11-24T00:00:00.000Z');
  });

  it('applies offsets with minutes and seconds (historical zones), and reads years past 9999', () => {
    assert.equal(iso(parseTimestamptz('0049-03-01 12:30:15.5+05:30 BC')), '-000048-03-01T07:00:15.500Z');
    assert.equal(iso(parseTimestamptz('1850-01-01 00:17:30+00:17:30')), '1850-01-01T00:00:00.000Z');
    assert.equal(iso(parseTimestamptz('12345-01-01 00:00:00-01')), '+012345-01-01T01:00:00.000Z');
    assert.equal(
      iso(parseTimestamp('294276-12-31 23:59:59.999999')),
      '294276-12-31 23:59:59.999999',
      'past what a Date holds: text'
    );
  });

  it('leaves infinity and other text as it is', () => {
    assert.equal(parseTimestamptz('infinity'), 'infinity');
    assert.equal(parseTimestamp('-infinity'), '-infinity');
    assert.equal(parsePgTimestamp('garbage BC'), null);
  });

  it('reads dates before 1 AD in frames (dates stay text from the drivers)', () => {
    assert.equal(convertValue('time', '0044-03-15 BC'), Date.UTC(-43, 2, 15));
    assert.equal(
      new Date(convertValue('time', '0044-03-15 BC') as number).toISOString(),
      '-000043-03-15T00:00:00.000Z'
    );
    assert.equal(convertValue('time', '2024-02-29'), Date.parse('2024-02-29T00:00:00Z'));
  });
});

forEachDatabase((getCtx) => {
  it('returns Dates for timestamps before year 1 and after 9999 on this driver', async () => {
    const { db } = getCtx();
    const { rows } = await db.query<Record<string, unknown>>(`SELECT
        timestamptz '0044-03-15 12:00:00+00 BC' AS tz_bc, timestamp '0001-01-01 00:00:00.25 BC' AS ts_bc,
        timestamptz '12345-06-07 08:09:10+00' AS tz_far, timestamp 'infinity' AS inf, date '0044-03-15 BC' AS d_bc`);
    const row = rows[0];
    assert.ok(
      row.tz_bc instanceof Date && row.ts_bc instanceof Date && row.tz_far instanceof Date,
      JSON.stringify(row)
    );
    assert.equal(iso(row.tz_bc), '-000043-03-15T12:00:00.000Z');
    assert.equal(iso(row.ts_bc), '0000-01-01T00:00:00.250Z');
    assert.equal(iso(row.tz_far), '+012345-06-07T08:09:10.000Z');
    assert.equal(row.inf, 'infinity');
    assert.equal(row.d_bc, '0044-03-15 BC');
  });

  it('shows timestamps before year 1 as epoch milliseconds in SQL-mode frames', async () => {
    const ctx = getCtx();
    const res = await api(ctx, '/api/v1/query', {
      body: {
        range: { from: '2024-01-01T00:00:00Z', to: '2024-01-02T00:00:00Z' },
        queries: [
          {
            refId: 'A',
            mode: 'sql',
            format: 'table',
            rawSql: `SELECT timestamptz '0044-03-15 12:00:00+00 BC' AS t, timestamp '0001-01-01 00:00:00 BC' AS u, date '0044-03-15 BC' AS d`,
          },
        ],
      },
    });
    assert.equal(res.status, 200, res.text);
    const frame = res.body.results.A.frames[0];
    assert.equal(res.body.results.A.error, undefined, res.body.results.A.error);
    assert.deepEqual(
      frame.schema.fields.map((f: { type: string }) => f.type),
      ['time', 'time', 'time']
    );
    assert.deepEqual(frame.data.values, [
      [Date.parse('-000043-03-15T12:00:00Z')],
      [Date.parse('0000-01-01T00:00:00Z')],
      [Date.parse('-000043-03-15T00:00:00Z')],
    ]);
  });
});
