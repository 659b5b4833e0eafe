import { InlineSwitch, Stack } from '@grafana/ui';
import React from 'react';

import { selectors } from 'components/selectors';
import { labels } from 'labels';

export interface QueryOptionsProps {
  /** Routing to continuous aggregates: on unless the query sets `continuousAggregates: false`. */
  continuousAggregates: boolean;
  allowExpensive: boolean;
  onContinuousAggregatesChange: (enabled: boolean) => void;
  onAllowExpensiveChange: (allowed: boolean) => void;
}

/** The builder's query options: continuous-aggregate routing and the cost guard's bypass. */
export const QueryOptions = (props: QueryOptionsProps) => (
  <Stack direction="row" gap={1}>
    <InlineSwitch
      data-testid={selectors.builder.continuousAggregates}
      label={labels.builder.continuousAggregates.label}
      showLabel
      transparent
      value={props.continuousAggregates}
      title={labels.builder.continuousAggregates.tooltip}
      onChange={(event) => props.onContinuousAggregatesChange(event.currentTarget.checked)}
    />
    <InlineSwitch
      data-testid={selectors.builder.allowExpensive}
      label={labels.builder.allowExpensive.label}
      showLabel
      transparent
      value={props.allowExpensive}
      title={labels.builder.allowExpensive.tooltip}
      onChange={(event) => props.onAllowExpensiveChange(event.currentTarget.checked)}
    />
  </Stack>
);
