import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildBuilderQuery } from '../../src/sql/builder';
import type { BuilderContext, BuilderTable } from '../../src/sql/builder-context';
import { expandMacros, type MacroContext } from '../../src/sql/macros';
import { shapeFrame } from '../../src/frames/shape-frames';
import { applyFill } from '../../src/frames/resample';
import { bucketCount, capBucket, wallClockMs } from '../../src/sql/bucket-count';
import { convertValue } from '../../src/frames/result-fields';
import { approxIntervalMs, niceBuckets, smallestNiceBucketAtLeast, WIDEST_NICE_YEARS } from '../../src/time/interval';
import { parseTimeRange } from '../../src/time/time-range';
import {
  BUILDER_SHAPE_LIMITS,
  checkPanelInterval,
  DEFAULT_ROW_CAP,
  MAX_INTERVALS_PER_RANGE,
} from '../../src/limits/bounds';
import type { WorkField, WorkFrame } from '../../src/frames/frame-types';
import { estimateFrameBytes, ResponseBudget } from '../../src/query/result-limits';
import { ApiError } from '../../src/errors';
import type { BuilderQuery } from '../../src/contract/query';
import { readingsTable } from './fixtures';

const table: BuilderTable = readingsTable;
const DAY = { from: Date.parse('2024-01-01T00:00:00Z'), to: Date.parse('2024-01-02T00:00:00Z') };
const WHOLE = { from: Date.parse('0001-01-01T00:00:00Z'), to: Date.parse('9999-01-02T00:00:00Z') };
const CENTURY = { from: Date.parse('1925-01-01T00:00:00Z'), to: Date.parse('2025-01-01T00:00:00Z') };

const ctx = (dialect: 'timescaledb' | 'postgres', over: Partial<BuilderContext> = {}): BuilderContext => ({
  dialect,
  table,
  range: DAY,
  intervalMs: 60_000,
  maxDataPoints: 1000,
  timeZone: 'UTC',
  maxRows: 5000,
  ...over,
});
const q = (over: Partial<BuilderQuery>): BuilderQuery => ({
  refId: 'A',
  mode: 'builder',
  table: 'readings',
  metrics: [{ column: 'value', aggregation: 'avg' }],
  ...over,
});

/** The value bound to the statement's final `LIMIT $n`. */
function finalLimit(built: { sql: string; params: unknown[] }): number {
  const m = / LIMIT \$(\d+)::bigint$/.exec(built.sql);
  assert.ok(m, `no final LIMIT in ${built.sql}`);
  return built.params[Number(m[1]) - 1] as number;
}

function status(fn: () => unknown): { status: number; code: string; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return { status: e.statusCode, code: e.code, message: e.message };
  }
  assert.fail('expected an ApiError');
}

describe('builder: every statement carries the row cap', () => {
  const shapes: Array<[string, Partial<BuilderQuery>]> = [
    ['buckets', { bucket: '5m', groupBy: ['sensor'] }],
    ['auto bucket', {}],
    ['fill null', { bucket: '5m', fill: 'null' }],
    ['fill zero', { bucket: '5m', fill: 'zero', groupBy: ['sensor'] }],
    ['fill previous', { bucket: '5m', fill: 'previous' }],
    ['fill linear', { bucket: '5m', fill: 'linear' }],
    ['month rates', { bucket: '1M', metrics: [{ column: 'counter', aggregation: 'rate' }], fill: 'zero' }],
    ['table without buckets', { format: 'table', groupBy: ['sensor'] }],
    ['table with buckets', { format: 'table', bucket: '1h' }],
    ['raw rows', { metrics: [{ column: 'value', aggregation: 'none' }] }],
    ['raw rows, no point cap', { metrics: [{ column: 'value', aggregation: 'none' }], noPointCap: true }],
    ['raw table rows', { format: 'table', metrics: [{ column: 'value', aggregation: 'none' }] }],
    ['no point cap, no fill', { bucket: '1s', noPointCap: true }],
  ];
  for (const [name, over] of shapes) {
    it(`${name}: LIMIT row cap + 1 on both dialects`, () => {
      for (const dialect of ['timescaledb', 'postgres'] as const) {
        const built = buildBuilderQuery(q(over), ctx(dialect));
        assert.equal(finalLimit(built), 5001, `${dialect}: ${built.sql}`);
        assert.equal(built.rowCap, 5000);
      }
    });
  }

  it('uses the default cap when the context gives none', () => {
    const built = buildBuilderQuery(q({ bucket: '5m' }), ctx('postgres', { maxRows: undefined }));
    assert.equal(finalLimit(built), DEFAULT_ROW_CAP + 1);
  });

  it("takes the user's table limit when it is smaller, the cap + 1 when it is larger (no bigint overflow)", () => {
    assert.equal(finalLimit(buildBuilderQuery(q({ format: 'table', limit: 7 }), ctx('postgres'))), 7);
    assert.equal(finalLimit(buildBuilderQuery(q({ format: 'table', limit: 1e20 }), ctx('postgres'))), 5001);
    assert.equal(
      finalLimit(
        buildBuilderQuery(
          q({ format: 'table', limit: 1e20, metrics: [{ column: 'value', aggregation: 'none' }] }),
          ctx('timescaledb')
        )
      ),
      5001
    );
  });

  it('property: whatever the query, the final LIMIT is at most cap + 1', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('timescaledb', 'postgres'),
        fc.constantFrom('avg', 'none', 'rate', 'count', 'median'),
        fc.constantFrom('auto', '1us', '1ms', '1s', '5m', '1d', '1M', '1y'),
        fc.constantFrom('none', 'null', 'zero', 'previous', 'linear'),
        fc.constantFrom('time_series', 'table'),
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
        fc.integer({ min: 1, max: 1e9 }),
        fc.constantFrom(DAY, CENTURY, WHOLE),
        (dialect, aggregation, bucket, fill, format, noPointCap, limit, maxDataPoints, range) => {
          const query = q({
            metrics: [{ column: aggregation === 'rate' ? 'counter' : 'value', aggregation: aggregation as any }],
            bucket,
            fill: fill as any,
            format: format as any,
            noPointCap,
            limit: limit ?? undefined,
          });
          try {
            const built = buildBuilderQuery(query, ctx(dialect as any, { maxDataPoints, range }));
            assert.ok(finalLimit(built) <= 5001);
            if (built.bucket && fill !== 'none') {
              assert.ok(bucketCount(built.bucket, range, 'UTC') <= 5000, JSON.stringify(built.bucket));
            }
          } catch (e) {
            assert.ok(e instanceof ApiError && (e.statusCode === 400 || e.statusCode === 422), String(e));
          }
        }
      ),
      { numRuns: 400 }
    );
  });
});

describe('builder: points and buckets', () => {
  it('refuses a gap fill with more buckets than the row cap before running (the hostile probe)', () => {
    const e = status(() =>
      buildBuilderQuery(
        q({ fill: 'zero', bucket: '1s', noPointCap: true }),
        ctx('timescaledb', { range: WHOLE, maxDataPoints: 100_000_000, maxRows: DEFAULT_ROW_CAP })
      )
    );
    assert.equal(e.status, 422);
    assert.equal(e.code, 'result_too_large');
    assert.match(e.message, /bucket 1s fills the range with \d+ buckets per series, more than the row limit 100000/);
    for (const dialect of ['timescaledb', 'postgres'] as const) {
      assert.equal(
        status(() => buildBuilderQuery(q({ fill: 'null', bucket: '1s', noPointCap: true }), ctx(dialect))).status,
        422
      );
    }
  });

  it('keeps a gap fill of no point cap that fits', () => {
    const built = buildBuilderQuery(q({ fill: 'zero', bucket: '1m', noPointCap: true }), ctx('timescaledb'));
    assert.deepEqual(built.bucket, { months: 0, ms: 60_000 });
  });

  it('holds series to the row cap even when maxDataPoints is huge', () => {
    const auto = buildBuilderQuery(q({}), ctx('timescaledb', { range: WHOLE, maxDataPoints: 100_000_000 }));
    assert.ok(bucketCount(auto.bucket!, WHOLE, 'UTC') <= 5000);
    const explicit = buildBuilderQuery(
      q({ bucket: '1s', fill: 'zero' }),
      ctx('postgres', { range: CENTURY, maxDataPoints: 1e12 })
    );
    assert.ok(bucketCount(explicit.bucket!, CENTURY, 'UTC') <= 5000);
    assert.match(explicit.notices[0].text, /Bucket widened from 1s to .* to stay within 5000 points per series/);
  });

  it("caps raw series at min(maxDataPoints, row cap), reduced in the database to their runs' extremes, each series size as __n", () => {
    const built = buildBuilderQuery(
      q({ metrics: [{ column: 'value', aggregation: 'none' }], groupBy: ['sensor'] }),
      ctx('postgres', { maxDataPoints: 1e9 })
    );
    assert.equal(built.rawPointCap, 5000);
    assert.match(built.sql, /count\(\*\) OVER \(PARTITION BY "g0"\) AS "__n"/);
    // Longer series leave the database as their runs' extremes, at most the row cap: 2499 runs × 2 + first + last.
    assert.match(
      built.sql,
      /WHERE "__n" <= \$4::bigint OR "__lo" = 1 OR "__hi" = 1 OR "__rn" = 1 OR "__rn" = "__n" ORDER BY "time" LIMIT \$5::bigint$/
    );
    assert.deepEqual(built.params.slice(2), [2499, 5000, 5001]);
    const small = buildBuilderQuery(
      q({ metrics: [{ column: 'value', aggregation: 'none' }] }),
      ctx('timescaledb', { maxDataPoints: 10 })
    );
    assert.equal(small.rawPointCap, 10);
    assert.match(small.sql, /count\(\*\) OVER \(\) AS "__n"/);
  });

  it('refuses more metrics, groups, filters or sort keys than SQL can carry, with a 400 naming them', () => {
    const many = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));
    const cases: Array<[string, Partial<BuilderQuery>]> = [
      [
        'metrics',
        {
          metrics: many(BUILDER_SHAPE_LIMITS.metrics + 1, (i) => ({
            column: 'value',
            aggregation: 'avg',
            alias: `m${i}`,
          })),
        },
      ],
      ['groupBy', { groupBy: many(BUILDER_SHAPE_LIMITS.groupBy + 1, () => 'sensor') }],
      [
        'filters',
        {
          filters: many(BUILDER_SHAPE_LIMITS.filters, () => ({ column: 'value', op: '>', value: 1 })),
          adhocFilters: [{ key: 'sensor', operator: '=', value: 'x' }],
        },
      ],
      [
        'orderBy',
        {
          format: 'table',
          orderBy: many(BUILDER_SHAPE_LIMITS.orderBy + 1, () => ({ column: 'avg(value)', direction: 'asc' })),
        },
      ],
    ];
    for (const [field, over] of cases) {
      const e = status(() => buildBuilderQuery(q(over), ctx('postgres')));
      assert.equal(e.status, 400, field);
      assert.match(e.message, new RegExp(`${field === 'filters' ? 'filters' : field}.*at most`), e.message);
    }
    assert.doesNotThrow(() =>
      buildBuilderQuery(
        q({ filters: many(BUILDER_SHAPE_LIMITS.filters, () => ({ column: 'value', op: '>', value: 1 })) }),
        ctx('postgres')
      )
    );
  });
});

describe('bucket widths stay finite', () => {
  it('the nice widths end at the widest, which covers any range', () => {
    const all = [...niceBuckets()];
    assert.deepEqual(all[all.length - 1], { months: 12 * WIDEST_NICE_YEARS, ms: 0 });
    assert.deepEqual(smallestNiceBucketAtLeast(Infinity), { months: 12 * WIDEST_NICE_YEARS, ms: 0 });
    assert.ok(bucketCount(all[all.length - 1], WHOLE, 'UTC') <= 3);
  });

  it('capping to one point over the whole calendar ends with the widest width (the calendar spans three)', () => {
    const b = capBucket({ months: 0, ms: 1000 }, WHOLE, 'UTC', 1);
    assert.ok(Number.isFinite(b.months) && b.months <= 12 * WIDEST_NICE_YEARS);
    assert.ok(bucketCount(b, WHOLE, 'UTC') <= 3);
    assert.ok(approxIntervalMs(b) > 1000);
  });
});

describe('the first centuries', () => {
  it('counts local buckets near year 1 on the real calendar (not 19xx, and 1 BC as year 0)', () => {
    assert.equal(new Date(wallClockMs(Date.parse('0050-06-01T12:00:00Z'), 'Europe/Berlin')).getUTCFullYear(), 50);
    assert.equal(new Date(wallClockMs(Date.parse('0001-01-01T00:00:00Z'), 'Pacific/Kiritimati')).getUTCFullYear(), 0);
    assert.equal(bucketCount({ months: 12, ms: 0 }, WHOLE, 'Europe/Berlin'), 9999);
  });

  it('reads timestamps before 1 AD as PostgreSQL prints them', () => {
    assert.equal(convertValue('time', '0001-01-01 00:00:00+00 BC'), Date.parse('0000-01-01T00:00:00Z'));
    assert.equal(convertValue('time', '0049-03-01 12:30:15.5+05:30 BC'), Date.parse('-000048-03-01T07:00:15.500Z'));
    assert.equal(convertValue('time', '0002-01-01 BC'), Date.parse('-000001-01-01T00:00:00Z'));
    assert.equal(convertValue('time', 'garbage BC'), null);
  });
});

describe('the time range', () => {
  it('accepts years 0001 to 9999 and refuses what PostgreSQL cannot read, naming the end', () => {
    assert.deepEqual(parseTimeRange({ from: '0001-01-01T00:00:00Z', to: '9999-12-31T23:59:59.999Z' }), {
      from: Date.parse('0001-01-01T00:00:00Z'),
      to: Date.parse('9999-12-31T23:59:59.999Z'),
    });
    for (const [from, to, which] of [
      ['+010000-01-01T00:00:00Z', '+010000-01-02T00:00:00Z', 'from'],
      ['2024-01-01T00:00:00Z', '8640000000000000', 'to'],
      ['-000001-01-01T00:00:00Z', '2024-01-01T00:00:00Z', 'from'],
      ['-62135596800001', '0', 'from'],
    ]) {
      const e = status(() => parseTimeRange({ from, to }));
      assert.equal(e.status, 400);
      assert.equal(e.code, 'invalid_range');
      assert.match(e.message, new RegExp(`range\\.${which}`));
    }
  });

  it('refuses a panel interval that is not a finite duration', () => {
    assert.doesNotThrow(() => checkPanelInterval(undefined));
    assert.doesNotThrow(() => checkPanelInterval(0));
    assert.doesNotThrow(() => checkPanelInterval(60_000));
    for (const bad of [Infinity, -1, Number.NaN, 1e300]) {
      const e = status(() => checkPanelInterval(bad));
      assert.equal(e.status, 400);
      assert.match(e.message, /intervalMs/);
    }
  });
});

describe('macro intervals', () => {
  const mctx = (over: Partial<MacroContext> = {}): MacroContext => ({
    range: CENTURY,
    intervalMs: 60_000,
    timeZone: 'UTC',
    dialect: 'timescaledb',
    maxRows: 5000,
    ...over,
  });

  it("refuses '0s' and '1us' over a century with a 400 naming the macro, interval and position", () => {
    for (const sql of [
      "SELECT $__timeGroup(time, '0s')",
      "SELECT $__timeGroup(time, '1us')",
      "SELECT $__unixEpochGroupAlias(t, '1us')",
      "SELECT $__timeBucket(time, '1us')",
    ]) {
      const e = status(() => expandMacros(sql, mctx()));
      assert.equal(e.status, 400, sql);
      assert.equal(e.code, 'invalid_macro_argument');
      assert.match(e.message, /Macro \$__\w+: .*(1us|0s).*\(line 1, column 8\)/, e.message);
    }
    const panel = status(() =>
      expandMacros(
        'SELECT $__timeBucket(time)',
        mctx({
          intervalMs: 0.001,
          range: { from: Date.parse('0001-01-01T00:00:00Z'), to: Date.parse('9999-01-01T00:00:00Z') },
        })
      )
    );
    assert.match(panel.message, /the interval 1ms \(the panel interval\) cuts the time range into \d+ buckets/);
  });

  it('refuses a gap fill with more buckets than the row cap, keeps one that fits', () => {
    const e = status(() => expandMacros("SELECT $__timeBucketGapfill(time, '1h')", mctx()));
    assert.equal(e.status, 400);
    assert.match(e.message, /cuts the time range into \d+ buckets, more than the row limit 5000/);
    assert.match(
      expandMacros("SELECT $__timeBucketGapfill(time, '1y')", mctx()).sql,
      /time_bucket_gapfill\('100 years'|time_bucket_gapfill\('1 years'/
    );
    // Without a cap in the context, the default applies.
    assert.equal(
      status(() => expandMacros("SELECT $__timeBucketGapfill(time, '1m')", mctx({ maxRows: undefined }))).status,
      400
    );
    assert.doesNotThrow(() => expandMacros("SELECT $__timeBucketGapfill(time, '1d')", mctx({ maxRows: undefined })));
  });

  it('leaves sane intervals as Grafana expands them', () => {
    assert.equal(
      expandMacros("SELECT $__timeGroup(time, '1m', 0)", mctx()).sql,
      'SELECT floor(extract(epoch from time)/60)*60'
    );
    assert.equal(
      expandMacros("SELECT $__timeGroup(time, '1s')", mctx()).sql,
      'SELECT floor(extract(epoch from time)/1)*1'
    );
    assert.ok((CENTURY.to - CENTURY.from) / 1000 < MAX_INTERVALS_PER_RANGE);
  });
});

const field = (name: string, type: WorkField['type'], values: unknown[]): WorkField => ({ name, type, values });

describe('frame shaping is measured before it is built', () => {
  it('refuses a long result whose wide frame would be rows × series, before building it', () => {
    const n = 2000;
    const times = Array.from({ length: n }, (_, i) => 1000 * i);
    const labels = times.map((_, i) => `s${i}`);
    const fields = () => [
      field('time', 'time', times),
      field('host', 'string', labels),
      field(
        'v',
        'number',
        times.map(() => 1)
      ),
    ];
    const opts = {
      format: 'time_series' as const,
      executedQueryString: 'q',
      range: { from: 0, to: n * 1000 },
      rowLimit: 1000,
    };
    const before = process.memoryUsage().heapUsed;
    const e = status(() => shapeFrame(fields(), opts));
    assert.equal(e.status, 422);
    assert.equal(e.code, 'result_too_large');
    assert.match(e.message, /2000 times × 2001 fields/);
    assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024);
    // The same rows with times that line up are a small wide frame.
    const aligned = shapeFrame(
      [
        field(
          'time',
          'time',
          times.map((t) => Math.floor(t / 100_000))
        ),
        field(
          'host',
          'string',
          labels.map((_, i) => `s${i % 5}`)
        ),
        field('v', 'number', times),
      ],
      opts
    );
    assert.equal(aligned.fields.length, 6);
  });

  it('still reports unsorted and null times as 400s', () => {
    const opts = { format: 'time_series' as const, executedQueryString: 'q', range: { from: 0, to: 10 }, rowLimit: 10 };
    assert.equal(
      status(() =>
        shapeFrame(
          [field('time', 'time', [2, 1]), field('h', 'string', ['a', 'b']), field('v', 'number', [1, 2])],
          opts
        )
      ).code,
      'series_unsorted'
    );
    assert.equal(
      status(() =>
        shapeFrame(
          [field('time', 'time', [1, null]), field('h', 'string', ['a', 'b']), field('v', 'number', [1, 2])],
          opts
        )
      ).code,
      'null_time_values'
    );
  });

  const frame = (): WorkFrame => ({
    fields: [field('Time', 'time', [1000, 2000]), field('v', 'number', [1, 2])],
    meta: {},
  });

  it('a fill with an interval below the precision of the time still ends', () => {
    const at = Date.parse('2024-01-01T00:00:00Z');
    const f = applyFill(frame(), {
      fill: { mode: 'value', value: 0 },
      intervalMs: 1e-6,
      from: at,
      to: at,
      maxPoints: 1000,
    });
    assert.ok(f.fields[0].values.length <= 1);
  });

  it('skips a fill whose grid × fields would exceed the cell cap, with a warning', () => {
    const f = applyFill(frame(), {
      fill: { mode: 'null' },
      intervalMs: 1,
      from: 0,
      to: 10_000,
      maxPoints: 100_000,
      maxCells: 1000,
    });
    assert.deepEqual(f.fields[0].values, [1000, 2000]);
    assert.match(f.meta.notices![0].text, /Fill operation skipped/);
    const ok = applyFill(frame(), {
      fill: { mode: 'null' },
      intervalMs: 1000,
      from: 0,
      to: 3000,
      maxPoints: 100,
      maxCells: 1000,
    });
    assert.deepEqual(ok.fields[0].values, [0, 1000, 2000, 3000]);
  });
});

describe('byte caps', () => {
  const frame = (n: number): WorkFrame => ({
    fields: [
      field(
        'Time',
        'time',
        Array.from({ length: n }, (_, i) => i)
      ),
    ],
    meta: {},
  });

  it('estimates a frame and stops counting once past the cap', () => {
    assert.ok(estimateFrameBytes(frame(10), 1e6) >= 120);
    assert.equal(status(() => estimateFrameBytes(frame(1e6), 1000)).code, 'result_too_large');
  });

  it('shares one byte cap between the queries of a response', () => {
    const budget = new ResponseBudget(2000);
    budget.charge(frame(100));
    const e = status(() => budget.charge(frame(100)));
    assert.equal(e.status, 422);
    assert.match(e.message, /Together with the other queries/);
    budget.charge(frame(10));
  });
});
