import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BuilderQuery } from '../../src/contract/query';
import type { BuilderContext } from '../../src/sql/builder-context';
import { buildBuilderQuery } from '../../src/sql/builder';
import { expandMacros } from '../../src/sql/macros';
import { renderBuilderQuery } from '../../src/sql/render-builder';
import { readingsContext, readingsQuery, readingsTable } from './fixtures';

const ctx = readingsContext;
const q = readingsQuery;

describe('rendering a builder query', () => {
  it('gives the statement the builder runs, with its bound values', () => {
    const query = q({ bucket: '5m', groupBy: ['sensor'], filters: [{ column: 'sensor', op: '=', value: 's1' }] });
    const rendered = renderBuilderQuery(query, ctx('timescaledb'));
    const built = buildBuilderQuery(query, ctx('timescaledb'));
    assert.equal(rendered.built.sql, built.sql);
    assert.deepEqual(rendered.built.params, built.params);
  });

  it('writes the range as $__timeFilter and the output columns under their frame names', () => {
    const { sqlModeText } = renderBuilderQuery(q({ bucket: '5m', groupBy: ['sensor'] }), ctx('timescaledb'));
    assert.match(sqlModeText, /\$__timeFilter\("time"\)/);
    assert.match(sqlModeText, /^SELECT "time", "g0" AS "sensor", "m0" AS "avg\(value\)"\nFROM \(/);
    assert.doesNotMatch(sqlModeText, /\$\d/, 'no placeholders are left');
    assert.doesNotMatch(sqlModeText, /LIMIT/, 'the row cap is SQL mode’s own');
  });

  it('follows the panel interval with $__timeBucket when the auto bucket is the panel interval', () => {
    const auto = renderBuilderQuery(q({}), ctx('timescaledb', { intervalMs: 300_000 })).sqlModeText;
    assert.match(auto, /\$__timeBucket\("t"\) AS "time"/);
    // An auto bucket widened past the panel interval (to the point budget) is written out.
    const widened = renderBuilderQuery(q({}), ctx('timescaledb', { intervalMs: 1000, maxDataPoints: 100 })).sqlModeText;
    assert.doesNotMatch(widened, /\$__timeBucket|\$__interval/);
    assert.match(widened, /time_bucket\('900 seconds'::interval, "t"\)/);
  });

  it('divides a rate by $__interval_ms over an auto bucket and by the width otherwise', () => {
    const rate = { column: 'counter', aggregation: 'rate' } as const;
    assert.match(
      renderBuilderQuery(q({ metrics: [rate] }), ctx('postgres', { intervalMs: 300_000 })).sqlModeText,
      /sum\("d0"\)::float8 \/ \(\$__interval_ms \/ 1000\.0\)/
    );
    assert.match(
      renderBuilderQuery(q({ metrics: [rate], bucket: '1h' }), ctx('postgres')).sqlModeText,
      /sum\("d0"\)::float8 \/ 3600\)/
    );
  });

  it('gap-fills between $__timeFrom() and just past $__timeTo(), as the builder does', () => {
    const { sqlModeText } = renderBuilderQuery(q({ fill: 'previous', bucket: '1h' }), ctx('timescaledb'));
    // Aggregated first, then gap-filled over the bucket rows (the builder's plan shape).
    assert.match(
      sqlModeText,
      /time_bucket_gapfill\('3600 seconds'::interval, "time", \$__timeFrom\(\)::timestamptz, \(\$__timeTo\(\)::timestamptz \+ interval '1 microsecond'\)\)/
    );
    assert.match(sqlModeText, /locf\(first\("m0", "time"\)\)/);
    assert.match(sqlModeText, /time_bucket\('3600 seconds'::interval, "t"\) AS "time", avg\("v0"\)/);
  });

  it('quotes filter values as literals that cannot end early', () => {
    const hostile = "x' OR 1=1 --";
    const { sqlModeText } = renderBuilderQuery(
      q({
        filters: [
          { column: 'sensor', op: '=', value: hostile },
          { column: 'sensor', op: 'IN', value: ['a"b', 'c\\d', "e'f"] },
          { column: 'value', op: '>', value: 2.5 },
        ],
      }),
      ctx('timescaledb')
    );
    assert.ok(sqlModeText.includes(`"sensor" = 'x'' OR 1=1 --'`), sqlModeText);
    assert.ok(sqlModeText.includes(`"sensor" = ANY('{"a\\"b","c\\\\d","e''f"}')`), sqlModeText);
    assert.ok(sqlModeText.includes(`"value" > '2.5'`), sqlModeText);
  });

  it('keeps the user limit and drops the row cap', () => {
    const { sqlModeText } = renderBuilderQuery(
      q({ format: 'table', metrics: [{ column: 'value', aggregation: 'none' }], limit: 10 }),
      ctx('postgres')
    );
    assert.match(sqlModeText, / LIMIT 10\n\) AS "builder"$/);
  });

  it('expands in SQL mode with only known macros', () => {
    for (const dialect of ['timescaledb', 'postgres'] as const) {
      for (const fill of ['none', 'previous', 'linear'] as const) {
        const { sqlModeText } = renderBuilderQuery(q({ fill, groupBy: ['sensor'] }), ctx(dialect));
        const expanded = expandMacros(sqlModeText, { ...ctx(dialect) });
        assert.doesNotMatch(expanded.sql, /\$__/);
      }
    }
  });
});
