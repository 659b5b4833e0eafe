import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createPostgresDb } from '../src/db/pg-driver';
import type { Db, DbTextResult } from '../src/db/types';
import { OID, parseInt8, parseNumeric, parseTimestamp, parseTimestamptz } from '../src/pg/value-parsers';
import { encodeJsonArray, encodeNdjson, encodePieces } from '../src/rest/encode-text-rows';
import { formatRows, formatTextRows } from '../src/rest/output-format';
import { createScratchDatabase, dropScratchDatabase, probePostgres } from './helpers/postgres-server';

// The parsers the pg driver applies to these types (see db/types.ts).
const PARSERS: Record<number, (text: string) => unknown> = {
  [OID.TIMESTAMPTZ]: parseTimestamptz,
  [OID.TIMESTAMP]: parseTimestamp,
  [OID.FLOAT8]: parseFloat,
  [OID.FLOAT4]: parseFloat,
  [OID.INT4]: (t) => parseInt(t, 10),
  [OID.INT8]: parseInt8,
  [OID.NUMERIC]: parseNumeric,
  [OID.TEXT]: (t) => t,
  [OID.BOOL]: (t) => t === 't',
  [OID.JSONB]: (t) => JSON.parse(t),
};

function textResult(columns: Array<[string, number]>, rows: Array<Array<string | null>>): DbTextResult {
  return {
    fields: columns.map(([name, dataTypeID]) => ({ name, dataTypeID })),
    rows,
    parsers: columns.map(([, oid]) => PARSERS[oid]),
  };
}

/** What the REST read answered before: JSON.stringify of the parsed row objects. */
function reference(result: DbTextResult): string {
  return JSON.stringify(
    result.rows.map((values) => {
      const row: Record<string, unknown> = {};
      result.fields.forEach((f, c) => (row[f.name] = values[c] === null ? null : result.parsers[c](values[c]!)));
      return row;
    })
  );
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** PostgreSQL's ISO DateStyle text of a time on a UTC session, microseconds with trailing zeros cut. */
function pgTimestamp(ms: number, micros: number, withOffset: boolean): string {
  const d = new Date(ms);
  const frac = micros === 0 ? '' : '.' + pad(micros, 6).replace(/0+$/, '');
  const text = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}${frac}`;
  return withOffset ? `${text}+00` : text;
}

const times = fc.tuple(
  fc.integer({ min: Date.UTC(1, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59) }),
  fc.integer({ min: 0, max: 999_999 })
);
const floatText = fc.oneof(
  fc.double().map((n) => String(n).replace(/e([+-])(\d)$/, 'e$10$2')),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '-0', '1e+20', '1.5e-05', '0')
);

describe('encoding rows from PostgreSQL text', () => {
  it('gives exactly JSON.stringify of the parsed rows, for any times, numbers and text', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.option(times),
            times,
            fc.option(floatText),
            fc.integer().map(String),
            fc.option(fc.string({ unit: 'grapheme' })),
            fc.option(fc.constantFrom('t', 'f'))
          ),
          { maxLength: 20 }
        ),
        (rows) => {
          const result = textResult(
            [
              ['time', OID.TIMESTAMPTZ],
              ['local', OID.TIMESTAMP],
              ['value', OID.FLOAT8],
              ['n', OID.INT4],
              ['label "x"', OID.TEXT],
              ['ok', OID.BOOL],
            ],
            rows.map(([tz, local, value, n, label, ok]) => [
              tz === null ? null : pgTimestamp(tz[0], tz[1], true),
              pgTimestamp(local[0], local[1], false),
              value,
              n,
              label,
              ok,
            ])
          );
          assert.equal(encodeJsonArray(result), reference(result));
        }
      ),
      { numRuns: 300 }
    );
  });

  it('takes the parser path for times it has no shortcut for', () => {
    const result = textResult(
      [['time', OID.TIMESTAMPTZ]],
      [
        ['infinity'],
        ['-infinity'],
        ['2024-01-01 12:00:00+05:30'],
        ['0044-03-15 12:00:00+00 BC'],
        ['12345-01-01 00:00:00+00'],
      ]
    );
    assert.equal(encodeJsonArray(result), reference(result));
    assert.match(encodeJsonArray(result), /"2024-01-01T06:30:00.000Z"/);
  });

  it('keeps the shape of objects for repeated and index-like column names', () => {
    const result = textResult(
      [
        ['b', OID.INT4],
        ['7', OID.TEXT],
        ['b', OID.INT4],
      ],
      [['1', 'x', '2']]
    );
    assert.equal(encodeJsonArray(result), '[{"7":"x","b":2}]');
    assert.equal(encodeJsonArray(result), reference(result));
    const proto = textResult(
      [
        ['__proto__', OID.TEXT],
        ['a', OID.INT4],
      ],
      [['x', '1']]
    );
    assert.equal(encodeJsonArray(proto), '[{"a":1}]');
    assert.equal(encodeJsonArray(proto), reference(proto));
  });

  it('streams pieces that concatenate to the same array and lines', () => {
    const rows = Array.from({ length: 2500 }, (_, i) => [
      pgTimestamp(Date.UTC(2025, 0, 1) + i * 1000, i, true),
      String(i / 7),
    ]);
    const make = () =>
      textResult(
        [
          ['time', OID.TIMESTAMPTZ],
          ['v', OID.FLOAT8],
        ],
        rows.map((r) => [...r])
      );
    assert.equal([...encodePieces(make(), 'json', 1000)].join(''), reference(make()));
    assert.equal([...encodePieces(make(), 'ndjson', 1000)].join(''), encodeNdjson(make()));
    assert.equal([...encodePieces(make(), 'json', 1000)].length, 3);
  });

  it('writes NDJSON one object per line', () => {
    const result = textResult([['v', OID.NUMERIC]], [['1.50'], ['123456789012345.6789'], [null]]);
    assert.equal(encodeNdjson(result), '{"v":1.5}\n{"v":"123456789012345.6789"}\n{"v":null}\n');
    assert.equal(encodeNdjson(textResult([['v', OID.INT4]], [])), '');
  });
});

describe('encoding rows from PostgreSQL text, against the real server', async () => {
  const probe = await probePostgres();
  if (!probe.ok) {
    it('skipped: PostgreSQL unreachable', { skip: probe.error }, () => undefined);
    return;
  }
  let scratch: { name: string; url: string };
  let db: Db;
  before(async () => {
    scratch = await createScratchDatabase();
    db = createPostgresDb({ connectionString: scratch.url, statementTimeoutMs: 10_000 });
  });
  after(async () => {
    await db.close();
    await dropScratchDatabase(scratch.name);
  });

  it('answers every format with the same bytes as from the parsed rows', async () => {
    const sql = `SELECT * FROM (VALUES
        (timestamptz '2024-03-01 10:00:00.123456+02', timestamp '2024-03-01 10:00:00.5', 1.5::float4, 0.1::float8, 42::int2, 7::int4,
         9007199254740993::int8, 12.50::numeric, 'a "quoted",\n text'::text, 'v'::varchar, true, date '2024-03-01', '{"k": [1, 2]}'::jsonb,
         interval '1 day', '{1,2}'::int4[], 'infinity'::timestamptz, 'NaN'::float8, 'c'::char(3)),
        (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, NULL, '-infinity', '-Infinity', NULL)
      ) AS t(tz, ts, f4, f8, i2, i4, i8, num, txt, vc, ok, day, doc, span, arr, inf, nan, ch)`;
    const text = await db.queryText!(sql);
    const parsed = await db.query(sql);
    const names = parsed.fields.map((f) => f.name);
    for (const format of ['json', 'ndjson', 'csv'] as const) {
      assert.equal(formatTextRows(format, text), formatRows(format, parsed.rows, names), format);
    }
    assert.equal(JSON.parse(formatTextRows('json', text))[0].tz, '2024-03-01T08:00:00.123Z');
  });
});
