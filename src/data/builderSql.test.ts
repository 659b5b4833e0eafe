import { AggregationType, defaultBuilderFields, FillMode, FilterOperator, type BuilderFields } from 'types/query';

import { quoteTableName, renderBuilderSql, renderFilter } from './builderSql';

const fields = (patch: Partial<BuilderFields>): BuilderFields => ({ ...defaultBuilderFields, table: 'sensor_data', timeColumn: 'timestamp', ...patch });

describe('renderBuilderSql', () => {
  it('renders nothing until a table is chosen', () => {
    expect(renderBuilderSql(defaultBuilderFields)).toBe('');
  });

  it('buckets with the panel interval, groups by the label columns and keeps the time filter', () => {
    const sql = renderBuilderSql(fields({ metrics: [{ column: 'temperature', aggregation: AggregationType.Avg }], groupBy: ['sensor_id'] }));
    expect(sql).toContain('$__timeBucket("timestamp") AS "time"');
    expect(sql).toContain('avg("temperature") AS "avg(temperature)"');
    expect(sql).toContain('WHERE $__timeFilter("timestamp")');
    expect(sql).toContain('GROUP BY 1, "sensor_id"');
    expect(sql).toMatch(/ORDER BY 1$/);
  });

  it('uses the chosen bucket and gap filling with locf for "previous"', () => {
    const sql = renderBuilderSql(fields({ metrics: [{ column: 'temperature', aggregation: AggregationType.Max }], bucket: '5m', fill: FillMode.Previous }));
    expect(sql).toContain(`$__timeBucketGapfill("timestamp", '5m') AS "time"`);
    expect(sql).toContain('locf(max("temperature"))');
  });

  it('interpolates for "linear" and coalesces for "zero"', () => {
    expect(renderBuilderSql(fields({ metrics: [{ column: 't', aggregation: AggregationType.Avg }], fill: FillMode.Linear }))).toContain('interpolate(avg("t"))');
    expect(renderBuilderSql(fields({ metrics: [{ column: 't', aggregation: AggregationType.Sum }], fill: FillMode.Zero }))).toContain('COALESCE(sum("t"), 0)');
  });

  it('writes percentiles, medians, first and last', () => {
    const sql = renderBuilderSql(
      fields({
        metrics: [
          { column: 'a', aggregation: AggregationType.Percentile, percentile: 99 },
          { column: 'b', aggregation: AggregationType.Median },
          { column: 'c', aggregation: AggregationType.Last },
        ],
      })
    );
    expect(sql).toContain('percentile_cont(0.99) WITHIN GROUP (ORDER BY "a") AS "p99(a)"');
    expect(sql).toContain('percentile_cont(0.5) WITHIN GROUP (ORDER BY "b")');
    expect(sql).toContain('last("c", "timestamp")');
  });

  it('treats rate and increase as counters that may reset', () => {
    const sql = renderBuilderSql(fields({ metrics: [{ column: 'bytes', aggregation: AggregationType.Rate }], groupBy: ['host'], bucket: '1m' }));
    expect(sql).toContain('lag("bytes") OVER (PARTITION BY "host" ORDER BY "timestamp")');
    expect(sql).toContain('CASE WHEN "bytes" < lag');
    expect(sql).toContain('sum("__delta_0") / 60');
  });

  it('returns raw rows for "none" with limit and order', () => {
    const sql = renderBuilderSql(
      fields({ metrics: [{ column: 'temperature', aggregation: AggregationType.None }], limit: 10, orderBy: [{ column: 'timestamp', direction: 'desc' }] })
    );
    expect(sql).not.toContain('GROUP BY');
    expect(sql).toContain('SELECT "timestamp" AS "time", "temperature" AS "temperature"');
    expect(sql).toContain('ORDER BY "timestamp" DESC\nLIMIT 10');
  });

  it('quotes identifiers and schema-qualified tables safely', () => {
    expect(quoteTableName('metrics.cpu"x')).toBe('"metrics"."cpu""x"');
    expect(renderBuilderSql(fields({ table: 'a"b', metrics: [{ column: 'we"ird', aggregation: AggregationType.Count }] }))).toContain(
      'count("we""ird") AS "count(we""ird)"'
    );
  });
});

describe('renderFilter', () => {
  it('quotes strings, keeps numbers and never lets a value end the literal', () => {
    expect(renderFilter({ column: 'sensor_id', op: FilterOperator.Equals, value: "x' OR 1=1 --" })).toBe(`"sensor_id" = 'x'' OR 1=1 --'`);
    expect(renderFilter({ column: 'temperature', op: FilterOperator.GreaterThan, value: 20.5 })).toBe('"temperature" > 20.5');
  });

  it('lists IN values and leaves a lone variable for Grafana to expand', () => {
    expect(renderFilter({ column: 's', op: FilterOperator.In, value: ['a', 'b'] })).toBe(`"s" IN ('a', 'b')`);
    expect(renderFilter({ column: 's', op: FilterOperator.In, value: '$sensor' })).toBe('"s" IN ($sensor)');
  });

  it('needs no value for IS NULL', () => {
    expect(renderFilter({ column: 'h', op: FilterOperator.IsNull })).toBe('"h" IS NULL');
  });
});
