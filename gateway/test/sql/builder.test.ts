import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildBuilderQuery } from '../../src/sql/builder';
import type { BuilderContext, BuilderTable } from '../../src/sql/builder-context';
import { expandMacros } from '../../src/sql/macros';
import { checkReadOnlyStatement } from '../../src/sql/read-only-statement';
import { loadSqlParser } from '../../src/pg/parse-sql';
import { ApiError } from '../../src/errors';
import type { BuilderQuery } from '../../src/contract/query';
import { readingsContext, readingsQuery, readingsTable } from './fixtures';

const table: BuilderTable = readingsTable;
const ctx = readingsContext;
const q = readingsQuery;

describe('builder SQL', () => {
  it('buckets with time_bucket on TimescaleDB and date_bin on PostgreSQL, values bound', () => {
    const ts = buildBuilderQuery(q({ bucket: '5m', groupBy: ['sensor'] }), ctx('timescaledb'));
    assert.equal(
      ts.sql,
      `SELECT time_bucket('300 seconds'::interval, "t") AS "time", "g0", avg("v0") AS "m0" FROM (SELECT "time" AS "t", "sensor"::text AS "g0", "value" AS "v0" FROM "public"."readings" WHERE "time" >= $1::timestamptz AND "time" <= $2::timestamptz) AS "src" GROUP BY 1, 2 ORDER BY "time", "g0" LIMIT $3::bigint`
    );
    // The last parameter is the row cap + 1: the database never returns more than one row too many.
    assert.deepEqual(ts.params, ['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z', 100_001]);
    const pg = buildBuilderQuery(q({ bucket: '5m', groupBy: ['sensor'] }), ctx('postgres'));
    assert.match(
      pg.sql,
      /^SELECT date_bin\('300 seconds'::interval, "t", TIMESTAMPTZ '2000-01-03 00:00:00\+00'\) AS "time"/
    );
    assert.deepEqual(
      [...pg.rename],
      [
        ['time', 'time'],
        ['g0', 'sensor'],
        ['m0', 'avg(value)'],
      ]
    );
  });

  const aggregations: Array<[BuilderQuery['metrics'][number], string, string]> = [
    [{ column: 'value', aggregation: 'min' }, 'min("v0")', 'min("v0")'],
    [{ column: 'value', aggregation: 'first' }, 'first("v0", "t")', '(array_agg("v0" ORDER BY "t" ASC))[1]'],
    [{ column: 'value', aggregation: 'last' }, 'last("v0", "t")', '(array_agg("v0" ORDER BY "t" DESC))[1]'],
    [
      { column: 'value', aggregation: 'median' },
      'percentile_cont(0.5) WITHIN GROUP (ORDER BY "v0")',
      'percentile_cont(0.5) WITHIN GROUP (ORDER BY "v0")',
    ],
    [
      { column: 'value', aggregation: 'percentile', percentile: 95 },
      'percentile_cont($3::float8)',
      'percentile_cont($3::float8)',
    ],
    [{ column: 'counter', aggregation: 'rate' }, '(sum("d0")::float8 / 300)', '(sum("d0")::float8 / 300)'],
    [{ column: 'counter', aggregation: 'increase' }, 'sum("d0")', 'sum("d0")'],
  ];
  for (const [metric, tsExpr, pgExpr] of aggregations) {
    it(`aggregation ${metric.aggregation}`, () => {
      assert.ok(buildBuilderQuery(q({ metrics: [metric], bucket: '5m' }), ctx('timescaledb')).sql.includes(tsExpr));
      assert.ok(buildBuilderQuery(q({ metrics: [metric], bucket: '5m' }), ctx('postgres')).sql.includes(pgExpr));
    });
  }

  it('returns statistics of a real column at real precision, on both dialects, and leaves doubles alone', () => {
    const withReal: BuilderTable = {
      ...table,
      columns: [...table.columns, { name: 'temp', type: 'real', kind: 'number' }],
    };
    for (const dialect of ['timescaledb', 'postgres'] as const) {
      const build = (metric: BuilderQuery['metrics'][number], fill?: BuilderQuery['fill']) =>
        buildBuilderQuery(q({ metrics: [metric], bucket: '5m', fill }), ctx(dialect, { table: withReal })).sql;
      assert.ok(build({ column: 'temp', aggregation: 'avg' }).includes('(avg("v0"))::real AS "m0"'), dialect);
      assert.ok(build({ column: 'temp', aggregation: 'sum' }).includes('(sum("v0"::float8))::real AS "m0"'), dialect);
      assert.ok(
        build({ column: 'temp', aggregation: 'median' }).includes(
          '(percentile_cont(0.5) WITHIN GROUP (ORDER BY "v0"))::real'
        ),
        dialect
      );
      assert.ok(
        build({ column: 'temp', aggregation: 'percentile', percentile: 90 }).includes(
          '::float8) WITHIN GROUP (ORDER BY "v0"))::real'
        ),
        dialect
      );
      // Already real, or another quantity: no cast.
      assert.ok(build({ column: 'temp', aggregation: 'max' }).includes('max("v0") AS "m0"'), dialect);
      assert.ok(build({ column: 'temp', aggregation: 'count' }).includes('count("v0") AS "m0"'), dialect);
      assert.ok(build({ column: 'value', aggregation: 'avg' }).includes('avg("v0") AS "m0"'), dialect);
      assert.ok(!build({ column: 'value', aggregation: 'avg' }).includes('::real'), dialect);
      // Interpolated values stay at the column's precision too.
      // (TimescaleDB's interpolate() must stay the outermost call: the cast goes on its argument.)
      const linear = build({ column: 'temp', aggregation: 'max' }, 'linear');
      if (dialect === 'timescaledb') {
        assert.ok(linear.includes('interpolate((first("m0", "time"))::real) AS "m0"'), linear);
      } else {
        assert.match(linear, /\)::real AS "m0"/, dialect);
      }
      assert.ok(!build({ column: 'value', aggregation: 'max' }, 'linear').includes('::real'), dialect);
    }
  });

  it('counts counter resets as restarts from zero', () => {
    const sql = buildBuilderQuery(
      q({ metrics: [{ column: 'counter', aggregation: 'increase' }], groupBy: ['sensor'] }),
      ctx('postgres')
    ).sql;
    assert.match(
      sql,
      /CASE WHEN lag\("counter"\) OVER \(PARTITION BY "sensor" ORDER BY "time"\) IS NULL THEN NULL WHEN "counter" >= lag/
    );
  });

  const fills: Array<[BuilderQuery['fill'], RegExp, RegExp]> = [
    // Gap fill over the aggregated bucket rows (one per bucket and series), not over the raw rows.
    [
      'null',
      /^SELECT time_bucket_gapfill\('300 seconds'::interval, "time", \$3::timestamptz, \$4::timestamptz\) AS "time", first\("m0", "time"\) AS "m0" FROM \(SELECT time_bucket\('300 seconds'::interval, "t"\) AS "time", avg\("v0"\) AS "m0" FROM/,
      /generate_series/,
    ],
    ['zero', /COALESCE\(first\("m0", "time"\), 0\)/, /COALESCE\("m0", 0\)/],
    ['previous', /locf\(first\("m0", "time"\)\)/, /first_value\("m0"\) OVER \(PARTITION BY "grp_prev"/],
    ['linear', /interpolate\(\(first\("m0", "time"\)\)::float8\)/, /\* 1000000\)::float8/],
  ];
  for (const [fill, tsRe, pgRe] of fills) {
    it(`fill ${fill}`, () => {
      const ts = buildBuilderQuery(q({ bucket: '5m', fill }), ctx('timescaledb'));
      assert.match(ts.sql, tsRe);
      assert.equal(ts.params[3], '2024-01-02T00:00:00.000001Z');
      assert.match(buildBuilderQuery(q({ bucket: '5m', fill }), ctx('postgres')).sql, pgRe);
    });
  }

  it('uses the request time zone for day buckets, not for hours', () => {
    const berlin = ctx('timescaledb', { timeZone: 'Europe/Berlin' });
    assert.match(
      buildBuilderQuery(q({ bucket: '1d' }), berlin).sql,
      /time_bucket\('1 days'::interval, "t", 'Europe\/Berlin'\)/
    );
    assert.match(buildBuilderQuery(q({ bucket: '1h' }), berlin).sql, /time_bucket\('3600 seconds'::interval, "t"\) AS/);
    assert.match(
      buildBuilderQuery(q({ bucket: '1M' }), ctx('postgres', { timeZone: 'Europe/Berlin' })).sql,
      /make_interval\(months =>/
    );
  });

  it('picks the smallest nice auto bucket ≥ max(intervalMs, range / maxDataPoints)', () => {
    assert.deepEqual(buildBuilderQuery(q({}), ctx('postgres')).bucket, { months: 0, ms: 120_000 });
    assert.deepEqual(buildBuilderQuery(q({}), ctx('postgres', { intervalMs: 200_000 })).bucket, {
      months: 0,
      ms: 300_000,
    });
    assert.deepEqual(buildBuilderQuery(q({ bucket: '1s', noPointCap: true }), ctx('postgres')).bucket, {
      months: 0,
      ms: 1000,
    });
  });

  it('refuses unknown columns, non-numeric aggregates and mixed raw rows with a 400', () => {
    const cases: Array<Partial<BuilderQuery>> = [
      { metrics: [{ column: 'nope', aggregation: 'avg' }] },
      { metrics: [{ column: 'sensor', aggregation: 'avg' }] },
      {
        metrics: [
          { column: 'value', aggregation: 'none' },
          { column: 'value', aggregation: 'max' },
        ],
      },
      { groupBy: ['nope'] },
      { filters: [{ column: 'value', op: '=', value: null }] },
      { filters: [{ column: 'value', op: 'IN', value: 3 }] },
      { adhocFilters: [{ key: 'sensor', operator: '=|', value: 'x' }] },
      { metrics: [] },
      { bucket: '0s' },
      { format: 'table', orderBy: [{ column: 'nope', direction: 'asc' }] },
    ];
    for (const c of cases) {
      assert.throws(
        () => buildBuilderQuery(q(c), ctx('postgres')),
        (e: unknown) => e instanceof ApiError && e.statusCode === 400,
        JSON.stringify(c)
      );
    }
  });
});

describe('properties', () => {
  const userString = fc.string({ minLength: 1 }).filter((s) => s.length > 3 && /[^\w\s]/.test(s));

  it('the builder never puts a user string into SQL text, and only fails with a 400', () => {
    fc.assert(
      fc.property(
        userString,
        fc.constantFrom('=', '!=', '<', 'LIKE', 'ILIKE', 'IN', 'NOT IN'),
        fc.option(userString),
        fc.constantFrom('timescaledb', 'postgres'),
        fc.constantFrom('none', 'null', 'zero', 'previous', 'linear'),
        (value, op, alias, dialect, fill) => {
          const query = (v: string, a: string | undefined) =>
            q({
              metrics: [{ column: 'value', aggregation: 'avg', alias: a }],
              filters: [{ column: 'sensor', op: op as any, value: op.includes('IN') ? [v] : v }],
              adhocFilters: [{ key: 'sensor', operator: '=~', value: v }],
              bucket: '5m',
              fill: fill as any,
            });
          try {
            const built = buildBuilderQuery(query(value, alias ?? undefined), ctx(dialect as any));
            // The user's strings do not shape the SQL text at all: a neutral value gives the same text.
            const neutral = buildBuilderQuery(query('x', alias ? 'a' : undefined), ctx(dialect as any));
            assert.equal(built.sql, neutral.sql, `a user string changed the SQL: ${built.sql}`);
            assert.ok(built.params.some((p) => p === value || (Array.isArray(p) && p.includes(value))));
          } catch (e) {
            assert.ok(e instanceof ApiError && e.statusCode === 400, String(e));
          }
        }
      ),
      { numRuns: 300 }
    );
  });

  it('hostile column names, tables and intervals only ever fail with a 400', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (column, bucket, group) => {
        try {
          const built = buildBuilderQuery(
            q({ metrics: [{ column, aggregation: 'max' }], bucket, groupBy: [group] }),
            ctx('timescaledb')
          );
          // Only catalog columns can get through, so the text holds nothing but known identifiers.
          assert.ok(table.columns.some((c) => c.name === column));
          assert.ok(!built.sql.includes(bucket) || /^[\w ]*$/.test(bucket));
        } catch (e) {
          assert.ok(e instanceof ApiError && e.statusCode === 400, String(e));
        }
      }),
      { numRuns: 500 }
    );
  });

  it('the macro expander only emits its own text for intervals and fill values, or fails with a 400', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.constantFrom('$__timeGroup', '$__unixEpochGroupAlias', '$__timeBucket'),
        (interval, fillArg, macro) => {
          const sql = `SELECT ${macro}(t, ${interval}${macro === '$__timeBucket' ? '' : `, ${fillArg}`}) FROM x`;
          try {
            const out = expandMacros(sql, {
              range: { from: 0, to: 3_600_000 },
              intervalMs: 1000,
              timeZone: 'UTC',
              dialect: 'timescaledb',
            }).sql;
            const body = out.slice('SELECT '.length, out.length - ' FROM x'.length);
            assert.match(body, /^(floor\(|time_bucket\()/);
            if (interval.trim().length > 2 && !/^[\w'. ]+$/.test(interval)) {
              assert.ok(!out.includes(interval.trim()));
            }
          } catch (e) {
            assert.ok(e instanceof ApiError && e.statusCode === 400, String(e));
          }
        }
      ),
      { numRuns: 500 }
    );
  });

  it('the statement check only ever fails with a 400, and never lets a second statement through', async () => {
    await loadSqlParser();
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        try {
          const checked = checkReadOnlyStatement(`SELECT ${a}; ${b}`);
          // Accepted: everything after the ";" must have been inside a literal, identifier or comment.
          assert.equal(checked.wrappable, true);
        } catch (e) {
          assert.ok(e instanceof ApiError && e.statusCode === 400, String(e));
        }
      }),
      { numRuns: 500 }
    );
    assert.throws(() => checkReadOnlyStatement("SELECT 'a;b'; SET ROLE postgres"), /exactly one statement/);
    assert.equal(checkReadOnlyStatement("SELECT 'a;b' /* ; */ -- ;\n;;").sql, "SELECT 'a;b' /* ; */ -- ;");
    assert.equal(checkReadOnlyStatement('SELECT $x$;$x$, "a;"').wrappable, true);
  });
});
