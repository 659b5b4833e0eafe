import { FieldType, type DataFrame, type MetricFindValue, createDataFrame } from '@grafana/data';

const uniqueByText = (values: MetricFindValue[]): MetricFindValue[] => {
  const seen = new Set<string>();
  return values.filter((v) => (seen.has(v.text) ? false : (seen.add(v.text), true)));
};

/**
 * Grafana's SQL sources' rule for variable queries: `__text` and `__value` columns give
 * text/value pairs; otherwise every value of every column is an option. Unique by text.
 */
export const framesToMetricFindValues = (frames: DataFrame[]): MetricFindValue[] => {
  const values: MetricFindValue[] = [];
  for (const frame of frames) {
    const text = frame.fields.find((f) => f.name === '__text');
    const value = frame.fields.find((f) => f.name === '__value');
    if (text && value) {
      for (let i = 0; i < text.values.length; i++) {
        values.push({ text: String(text.values[i]), value: String(value.values[i]) });
      }
      continue;
    }
    for (const field of frame.fields) {
      for (const v of field.values) {
        if (v !== null && v !== undefined) {
          values.push({ text: String(v) });
        }
      }
    }
  }
  return uniqueByText(values);
};

/** The frame shape Grafana's variable runner reads back into options: `text` and `value` fields. */
export const metricFindValuesToFrame = (values: MetricFindValue[]): DataFrame =>
  createDataFrame({
    fields: [
      { name: 'text', type: FieldType.string, values: values.map((v) => v.text) },
      { name: 'value', type: FieldType.string, values: values.map((v) => String(v.value ?? v.text)) },
    ],
  });
