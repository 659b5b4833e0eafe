import { defaultBuilderFields } from 'types/query';

import { builderReducer } from './useBuilderState';

describe('builderReducer', () => {
  const start = {
    ...defaultBuilderFields,
    table: 'a',
    timeColumn: 't',
    groupBy: ['g'],
    metrics: [{ column: 'x', aggregation: 'max' as const }],
  };

  it('forgets the old table’s columns when the table changes, keeping the aggregation', () => {
    const next = builderReducer(start, { type: 'setTable', table: 'b', timeColumn: 'ts' });
    expect(next).toMatchObject({
      table: 'b',
      timeColumn: 'ts',
      groupBy: [],
      filters: [],
      metrics: [{ column: '', aggregation: 'max' }],
    });
  });

  it('adds a default percentile and drops it for other aggregations', () => {
    const p = builderReducer(start, { type: 'updateMetric', index: 0, metric: { aggregation: 'percentile' } });
    expect(p.metrics[0].percentile).toBe(95);
    const back = builderReducer(p, { type: 'updateMetric', index: 0, metric: { aggregation: 'avg' } });
    expect(back.metrics[0]).not.toHaveProperty('percentile');
  });

  it('drops the value of IS NULL filters', () => {
    const withFilter = builderReducer(builderReducer(start, { type: 'addFilter' }), {
      type: 'updateFilter',
      index: 0,
      filter: { column: 'c', value: 'v' },
    });
    expect(withFilter.filters).toEqual([{ column: 'c', op: '=', value: 'v' }]);
    const isNull = builderReducer(withFilter, { type: 'updateFilter', index: 0, filter: { op: 'IS NULL' } });
    expect(isNull.filters).toEqual([{ column: 'c', op: 'IS NULL' }]);
  });

  it('writes continuousAggregates: false only when routing is off, and allowExpensive only when on', () => {
    const off = builderReducer(start, { type: 'setContinuousAggregates', enabled: false });
    expect(off.continuousAggregates).toBe(false);
    expect(builderReducer(off, { type: 'setContinuousAggregates', enabled: true })).not.toHaveProperty(
      'continuousAggregates'
    );
    const bypass = builderReducer(start, { type: 'setAllowExpensive', allowed: true });
    expect(bypass.allowExpensive).toBe(true);
    expect(builderReducer(bypass, { type: 'setAllowExpensive', allowed: false })).not.toHaveProperty('allowExpensive');
  });

  it('removes metrics and filters by position', () => {
    const two = builderReducer(start, { type: 'addMetric' });
    expect(builderReducer(two, { type: 'removeMetric', index: 0 }).metrics).toEqual([
      { column: '', aggregation: 'avg' },
    ]);
  });
});
