import type { SelectableValue } from '@grafana/data';
import { Button, IconButton, Input, Select, Stack } from '@grafana/ui';
import React from 'react';
import type { CatalogColumn, MetricSpec } from 'timescaledb-gateway/contract';

import { selectors } from 'components/selectors';
import type { BuilderAction } from 'hooks/useBuilderState';
import { labels } from 'labels';
import { AggregationType } from 'types/query';

import { columnOptions, withCurrent } from './options';

export interface MetricsEditorProps {
  metrics: MetricSpec[];
  columns: CatalogColumn[];
  dispatch: (action: BuilderAction) => void;
}

const aggregationOptions: Array<SelectableValue<AggregationType>> = Object.values(AggregationType).map((value) => ({
  value,
  label: labels.builder.aggregations[value],
}));

/** Aggregations that need numbers; the others (count, first, last, raw) take any column. */
const NUMERIC = new Set<string>([AggregationType.Avg, AggregationType.Sum, AggregationType.Median, AggregationType.Percentile, AggregationType.Rate, AggregationType.Increase]);

export const MetricsEditor = ({ metrics, columns, dispatch }: MetricsEditorProps) => (
  <Stack direction="column" gap={1} data-testid={selectors.builder.metrics}>
    {metrics.map((metric, index) => {
      const keep = (c: CatalogColumn) => (NUMERIC.has(metric.aggregation) ? c.kind === 'number' : c.kind !== 'json');
      return (
        <Stack key={index} gap={1} alignItems="center" data-testid={selectors.builder.metricRow}>
          <div data-testid={selectors.builder.metricAggregation}>
            <Select
              aria-label={labels.builder.metrics.aggregation}
              options={aggregationOptions}
              value={metric.aggregation}
              width={24}
              onChange={(o) => dispatch({ type: 'updateMetric', index, metric: { aggregation: o.value! } })}
            />
          </div>
          <div data-testid={selectors.builder.metricColumn}>
            <Select
              aria-label={labels.builder.metrics.column}
              options={withCurrent(columnOptions(columns, keep), metric.column)}
              value={metric.column || null}
              allowCustomValue
              width={24}
              onChange={(o) => dispatch({ type: 'updateMetric', index, metric: { column: o?.value ?? '' } })}
            />
          </div>
          {metric.aggregation === AggregationType.Percentile && (
            <Input
              data-testid={selectors.builder.metricPercentile}
              aria-label={labels.builder.metrics.percentile}
              type="number"
              min={0}
              max={100}
              width={8}
              defaultValue={metric.percentile ?? 95}
              onBlur={(e) => dispatch({ type: 'updateMetric', index, metric: { percentile: Math.min(100, Math.max(0, Number(e.currentTarget.value) || 0)) } })}
            />
          )}
          <Input
            data-testid={selectors.builder.metricAlias}
            aria-label={labels.builder.metrics.alias}
            placeholder={labels.builder.metrics.alias}
            width={20}
            defaultValue={metric.alias ?? ''}
            onBlur={(e) => dispatch({ type: 'updateMetric', index, metric: { alias: e.currentTarget.value || undefined } })}
          />
          <IconButton
            name="trash-alt"
            data-testid={selectors.builder.metricRemove}
            tooltip={labels.builder.metrics.remove}
            disabled={metrics.length === 1}
            onClick={() => dispatch({ type: 'removeMetric', index })}
          />
        </Stack>
      );
    })}
    <div>
      <Button variant="secondary" size="sm" icon="plus" data-testid={selectors.builder.metricAdd} onClick={() => dispatch({ type: 'addMetric' })}>
        {labels.builder.metrics.add}
      </Button>
    </div>
  </Stack>
);
