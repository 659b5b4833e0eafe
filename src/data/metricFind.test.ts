import { createDataFrame, FieldType } from '@grafana/data';

import { framesToMetricFindValues, metricFindValuesToFrame } from './metricFind';

describe('framesToMetricFindValues', () => {
  it('pairs __text with __value', () => {
    const frame = createDataFrame({
      fields: [
        { name: '__value', type: FieldType.number, values: [1, 2] },
        { name: '__text', type: FieldType.string, values: ['one', 'two'] },
      ],
    });
    expect(framesToMetricFindValues([frame])).toEqual([
      { text: 'one', value: '1' },
      { text: 'two', value: '2' },
    ]);
  });

  it('otherwise offers every value of every column once', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'a', type: FieldType.string, values: ['x', 'y', 'x'] },
        { name: 'b', type: FieldType.number, values: [3, null, 4] },
      ],
    });
    expect(framesToMetricFindValues([frame]).map((v) => v.text)).toEqual(['x', 'y', '3', '4']);
  });
});

describe('metricFindValuesToFrame', () => {
  it('writes text and value fields for Grafana’s variable runner', () => {
    const frame = metricFindValuesToFrame([{ text: 'Lab', value: 's1' }, { text: 's2' }]);
    expect(frame.fields.map((f) => [f.name, f.values])).toEqual([
      ['text', ['Lab', 's2']],
      ['value', ['s1', 's2']],
    ]);
  });
});
