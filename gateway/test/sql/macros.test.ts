import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandMacros, type MacroContext } from '../../src/sql/macros';
import { ApiError } from '../../src/errors';
import { MACROS } from '../../src/contract/macros';
import { Params } from '../../src/sql/builder-context';

const from = Date.parse('2018-04-12T18:00:00Z');
const ctx = (over: Partial<MacroContext> = {}): MacroContext => ({
  range: { from, to: from + 5 * 60_000 },
  intervalMs: 60_000,
  timeZone: 'UTC',
  dialect: 'postgres',
  now: new Date('2021-02-10T00:00:00Z'),
  ...over,
});
const expand = (sql: string, over?: Partial<MacroContext>) => expandMacros(sql, ctx(over)).sql;

describe('Grafana macro expansions (golden)', () => {
  const golden: Array<[string, string, Partial<MacroContext>?]> = [
    ['select $__time(time_column)', 'select time_column AS "time"'],
    ['select min($__time(time_column))', 'select min(time_column AS "time")'],
    ['select $__timeEpoch(t)', 'select extract(epoch from t) as "time"'],
    ['WHERE $__timeFilter(time_column)', "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'"],
    ['select $__timeFrom()', "select '2018-04-12T18:00:00Z'"],
    ['select $__timeTo()', "select '2018-04-12T18:05:00Z'"],
    [
      "SELECT $__timeGroup(time_column,'5m'), value",
      'SELECT floor(extract(epoch from time_column)/300)*300 AS "time", value',
    ],
    [
      "SELECT $__timeGroup(time_column,'5m') as time, value",
      'SELECT floor(extract(epoch from time_column)/300)*300 as time, value',
    ],
    ["SELECT $__timeGroup(time_column,'5m')", 'SELECT floor(extract(epoch from time_column)/300)*300'],
    ["SELECT $__timeGroupAlias(time_column,'5m')", 'SELECT floor(extract(epoch from time_column)/300)*300 AS "time"'],
    ["$__timeGroup(time_column , '5m')", 'floor(extract(epoch from time_column)/300)*300'],
    ["$__timeGroup(t, '12d')", 'floor(extract(epoch from t)/1.0368e+06)*1.0368e+06'],
    ["$__timeGroup(t, '20ms')", 'floor(extract(epoch from t)/0.02)*0.02'],
    ["$__timeGroup(t, '500ms')", 'floor(extract(epoch from t)/0.5)*0.5'],
    ["$__timeGroup(t, '1h30m')", 'floor(extract(epoch from t)/5400)*5400'],
    ["$__timeGroup(t, '1d')", 'floor(extract(epoch from t)/86400)*86400'],
    ["$__timeGroup(t, '1w')", 'floor(extract(epoch from t)/604800)*604800'],
    // Calendar units are measured from "now" like Grafana: February 2021 has 28 days, 2021 has 365.
    ["$__timeGroup(t, '1M')", 'floor(extract(epoch from t)/2.4192e+06)*2.4192e+06'],
    ["$__timeGroup(t, '1y')", 'floor(extract(epoch from t)/3.1536e+07)*3.1536e+07'],
    ["$__timeGroup(t, '5m', 0)", 'floor(extract(epoch from t)/300)*300'],
    ['select $__unixEpochFilter(time)', 'select time >= 1523556000 AND time <= 1523556300'],
    ['select $__unixEpochNanoFilter(time)', 'select time >= 1523556000000000000 AND time <= 1523556300000000000'],
    ['select $__unixEpochNanoFrom()', 'select 1523556000000000000'],
    ['select $__unixEpochNanoTo()', 'select 1523556300000000000'],
    ['select $__unixEpochFrom(), $__unixEpochTo()', 'select 1523556000, 1523556300'],
    [
      "SELECT $__unixEpochGroup(time_column+time_adjustment,'5m')",
      'SELECT floor((time_column+time_adjustment)/300)*300',
    ],
    [
      "SELECT $__unixEpochGroupAlias(time_column+time_adjustment,'5m')",
      'SELECT floor((time_column+time_adjustment)/300)*300 AS "time"',
    ],
    ['SELECT $__interval, $__interval_ms', 'SELECT 1m, 60000'],
    ['SELECT $__interval, $__interval_ms', 'SELECT 1m, 90000', { intervalMs: 90_000 }],
    ['SELECT $__interval, $__interval_ms', 'SELECT 250ms, 250', { intervalMs: 250 }],
    ['SELECT $__interval', 'SELECT 1d', { intervalMs: 86_400_000 }],
    ["SELECT time_bucket('$__interval', t)", "SELECT time_bucket('1m', t)"],
    ['SELECT $__interval_pg', "SELECT '60 seconds'::interval"],
    ['SELECT $__interval_pg', "SELECT '500 milliseconds'::interval", { intervalMs: 500 }],
    ['$__timeBucket(t)', "date_bin('60 seconds'::interval, t, TIMESTAMPTZ '2000-01-03 00:00:00+00')"],
    ['$__timeBucket(t)', "time_bucket('60 seconds'::interval, t)", { dialect: 'timescaledb' }],
    ["$__timeBucket(t, '250ms')", "time_bucket('250 milliseconds'::interval, t)", { dialect: 'timescaledb' }],
    [
      "$__timeBucket(t, '1d')",
      "time_bucket('1 days'::interval, t, 'Europe/Berlin')",
      { dialect: 'timescaledb', timeZone: 'Europe/Berlin' },
    ],
    [
      "$__timeBucket(t, '1h')",
      "time_bucket('3600 seconds'::interval, t)",
      { dialect: 'timescaledb', timeZone: 'Europe/Berlin' },
    ],
    ["$__timeBucket(t, '1M')", "time_bucket('1 months'::interval, t)", { dialect: 'timescaledb' }],
    ["$__timeBucket(t, '1y')", "time_bucket('1 years'::interval, t)", { dialect: 'timescaledb' }],
    [
      "$__timeBucket(t, '1d')",
      "(date_bin('1 days'::interval, (t AT TIME ZONE 'Europe/Berlin'), TIMESTAMP '2000-01-03 00:00:00') AT TIME ZONE 'Europe/Berlin')",
      { timeZone: 'Europe/Berlin' },
    ],
    [
      '$__timeBucketGapfill(t)',
      "time_bucket_gapfill('60 seconds'::interval, t, '2018-04-12T18:00:00Z'::timestamptz, '2018-04-12T18:05:00Z'::timestamptz)",
      { dialect: 'timescaledb' },
    ],
  ];
  for (const [input, expected, over] of golden) {
    it(`${input}${over ? ` ${JSON.stringify(over)}` : ''}`, () => {
      assert.equal(expand(input, over), expected);
    });
  }

  it('formats sub-second range ends like Go RFC3339Nano', () => {
    const range = { from: Date.parse('1960-02-01T07:00:00.5Z'), to: Date.parse('1980-02-03T08:00:00.5Z') };
    assert.equal(
      expand('WHERE $__timeFilter(c)', { range }),
      "WHERE c BETWEEN '1960-02-01T07:00:00.5Z' AND '1980-02-03T08:00:00.5Z'"
    );
    assert.equal(expand('$__unixEpochFilter(c)', { range }), 'c >= -312915600 AND c <= 318412800');
    assert.equal(
      expand('$__unixEpochNanoFilter(c)', { range }),
      'c >= -312915599500000000 AND c <= 318412800500000000'
    );
  });

  it('records the fill of $__timeGroup for the frames', () => {
    assert.deepEqual(expandMacros("$__timeGroup(t, '5m', NULL)", ctx()).fill, { mode: 'null', intervalMs: 300_000 });
    assert.deepEqual(expandMacros("$__timeGroup(t, '5m', previous)", ctx()).fill, {
      mode: 'previous',
      intervalMs: 300_000,
    });
    assert.deepEqual(expandMacros("$__unixEpochGroup(t, '1s', -1.5)", ctx()).fill, {
      mode: 'value',
      value: -1.5,
      intervalMs: 1000,
    });
    assert.equal(expandMacros("$__timeGroup(t, '5m')", ctx()).fill, undefined);
  });

  it('takes nested parentheses and quoted commas in arguments', () => {
    assert.equal(expand("$__timeGroup(coalesce(a, b), '1m')"), 'floor(extract(epoch from coalesce(a, b))/60)*60');
    assert.equal(expand(`$__time("odd, name")`), `"odd, name" AS "time"`);
  });
});

describe('macro errors', () => {
  const errors: Array<[string, string, number]> = [
    ['SELECT $__nope(x)', 'unknown_macro', 7],
    ['SELECT 1,\n  $__timeFilterx(t)', 'unknown_macro', 12],
    ['SELECT $__timeGroup(t)', 'invalid_macro_argument', 7],
    ["SELECT $__timeGroup(t, 'soon')", 'invalid_macro_argument', 7],
    ["SELECT $__timeGroup(t, '0s')", 'invalid_macro_argument', 7],
    ["SELECT $__timeGroup(t, '1m', sometimes)", 'invalid_macro_argument', 7],
    ['SELECT $__timeFilter()', 'invalid_macro_argument', 7],
    ['SELECT $__timeFilter', 'invalid_macro_argument', 7],
    ['SELECT $__timeFilter(t', 'invalid_macro_argument', 7],
    ['SELECT $__timeFrom(x)', 'invalid_macro_argument', 7],
    ["SELECT $__timeBucket(t, 'fortnight')", 'invalid_macro_argument', 7],
  ];
  for (const [sql, code, position] of errors) {
    it(`${JSON.stringify(sql)} → 400 ${code} at ${position}`, () => {
      assert.throws(
        () => expandMacros(sql, ctx()),
        (err: unknown) =>
          err instanceof ApiError &&
          err.statusCode === 400 &&
          err.code === code &&
          (err.details as any).position === position
      );
    });
  }

  it('names the line and column of an unknown macro', () => {
    assert.throws(() => expandMacros('SELECT 1,\n  $__what()', ctx()), /Unknown macro \$__what \(line 2, column 3\)/);
  });

  it('asks for TimescaleDB when $__timeBucketGapfill runs on plain PostgreSQL', () => {
    assert.throws(
      () => expandMacros('$__timeBucketGapfill(t)', ctx()),
      (e: unknown) => e instanceof ApiError && e.code === 'timescaledb_required'
    );
  });

  it('expands every documented macro', () => {
    for (const m of MACROS) {
      const call = m.call
        ? `${m.name}(${m.args
            .replace(/\[.*\]/, '')
            .replace(/column/, 't')
            .replace('interval', "'1m'")})`
        : m.name;
      assert.doesNotThrow(() => expandMacros(call, ctx({ dialect: 'timescaledb' })), call);
    }
  });
});

describe('$__adHocFilters', () => {
  it('ANDs the dashboard filters on quoted columns with bound values, and is TRUE without filters', () => {
    const params = new Params();
    const filters = [
      { key: 'sensor_id', operator: '=', value: 'sensor_1' },
      { key: 'Odd "col"', operator: '!~', value: '^x' },
    ];
    assert.equal(
      expand('SELECT 1 WHERE $__adHocFilters', { adhoc: { filters, params } }),
      `SELECT 1 WHERE ("sensor_id" = $1 AND "Odd ""col"""::text !~ $2::text)`
    );
    assert.deepEqual(params.values, ['sensor_1', '^x']);
    assert.equal(expand('WHERE $__adHocFilters', { adhoc: { filters: [], params: new Params() } }), 'WHERE TRUE');
    assert.equal(expand('WHERE $__adHocFilters'), 'WHERE TRUE');
  });

  it('refuses an operator Grafana does not send', () => {
    const filters = [{ key: 'a', operator: 'LIKE', value: 'x' }];
    assert.throws(
      () => expand('$__adHocFilters', { adhoc: { filters, params: new Params() } }),
      (e: unknown) => e instanceof ApiError && e.code === 'invalid_adhoc_filter'
    );
  });
});
