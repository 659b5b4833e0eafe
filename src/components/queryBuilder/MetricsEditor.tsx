import { Button, Combobox, IconButton, Input, Stack, type ComboboxOption } from '@grafana/ui';
import React from 'react';
import type { MetricSpec } from 'timescaledb-gateway/contract';
import { AGGREGATIONS, needsNumbers } from 'timescaledb-gateway/contract/vocabulary';

import { LabelledPicker } from 'components/LabelledPicker';
import { selectors } from 'components/selectors';
import type { DataSource } from 'data/datasource';
import { useColumnOptions } from 'hooks/useCatalogOptions';
import type { BuilderAction } from 'hooks/useBuilderState';
import { labels } from 'labels';

import { columnKinds, currentOption } from './options';

export interface MetricsEditorProps {
  datasource: DataSource;
  table: string;
  metrics: MetricSpec[];
  dispatch: (action: BuilderAction) => void;
}

const aggregationOptions: Array<ComboboxOption<MetricSpec['aggregation']>> = AGGREGATIONS.map((value) => ({
  value,
  label: labels.builder.aggregations[value],
}));

interface MetricRowProps extends Omit<MetricsEditorProps, 'metrics'> {
  metric: MetricSpec;
  index: number;
  removable: boolean;
}

const MetricRow = ({ datasource, table, metric, index, removable, dispatch }: MetricRowProps) => {
  const loadColumns = useColumnOptions(
    datasource,
    table,
    needsNumbers(metric.aggregation) ? columnKinds.number : columnKinds.any
  );
  const update = (patch: Partial<MetricSpec>) => dispatch({ type: 'updateMetric', index, metric: patch });

  return (
    <Stack gap={1} alignItems="center" data-testid={selectors.builder.metricRow}>
      <LabelledPicker testId={selectors.builder.metricAggregation} label={labels.builder.metrics.aggregation}>
        {(labelId) => (
          <Combobox
            aria-labelledby={labelId}
            options={aggregationOptions}
            value={metric.aggregation}
            width={24}
            onChange={(option) => update({ aggregation: option.value })}
          />
        )}
      </LabelledPicker>
      <LabelledPicker testId={selectors.builder.metricColumn} label={labels.builder.metrics.column}>
        {(labelId) => (
          <Combobox
            // A new table or aggregation lists other columns: start from an empty list.
            key={`${table}.${metric.aggregation}`}
            aria-labelledby={labelId}
            options={loadColumns}
            value={currentOption(metric.column)}
            createCustomValue
            width={24}
            onChange={(option) => update({ column: option.value })}
          />
        )}
      </LabelledPicker>
      {metric.aggregation === 'percentile' && (
        <Input
          data-testid={selectors.builder.metricPercentile}
          aria-label={labels.builder.metrics.percentile}
          type="number"
          min={0}
          max={100}
          width={8}
          defaultValue={metric.percentile ?? 95}
          onBlur={(e) => update({ percentile: Math.min(100, Math.max(0, Number(e.currentTarget.value) || 0)) })}
        />
      )}
      <Input
        data-testid={selectors.builder.metricAlias}
        aria-label={labels.builder.metrics.alias}
        placeholder={labels.builder.metrics.alias}
        width={20}
        defaultValue={metric.alias ?? ''}
        onBlur={(e) => update({ alias: e.currentTarget.value || undefined })}
      />
      <IconButton
        name="trash-alt"
        data-testid={selectors.builder.metricRemove}
        tooltip={labels.builder.metrics.remove}
        disabled={!removable}
        onClick={() => dispatch({ type: 'removeMetric', index })}
      />
    </Stack>
  );
};

export const MetricsEditor = ({ metrics, ...rest }: MetricsEditorProps) => (
  <Stack direction="column" gap={1} data-testid={selectors.builder.metrics}>
    {metrics.map((metric, index) => (
      <MetricRow key={index} metric={metric} index={index} removable={metrics.length > 1} {...rest} />
    ))}
    <div>
      <Button
        variant="secondary"
        size="sm"
        icon="plus"
        data-testid={selectors.builder.metricAdd}
        onClick={() => rest.dispatch({ type: 'addMetric' })}
      >
        {labels.builder.metrics.add}
      </Button>
    </div>
  </Stack>
);
