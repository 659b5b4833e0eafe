import type { SelectableValue } from '@grafana/data';
import { Select } from '@grafana/ui';
import React from 'react';

import { selectors } from 'components/selectors';
import { labels } from 'labels';
import { FillMode } from 'types/query';

const fillOptions: Array<SelectableValue<FillMode>> = Object.values(FillMode).map((value) => ({
  value,
  label: labels.builder.fill.options[value],
}));

export interface FillSelectProps {
  fill?: FillMode;
  onChange: (fill: FillMode) => void;
}

export const FillSelect = ({ fill = FillMode.None, onChange }: FillSelectProps) => (
  <div data-testid={selectors.builder.fill}>
    <Select aria-label={labels.builder.fill.label} options={fillOptions} value={fill} width={20} onChange={(o) => onChange(o.value!)} />
  </div>
);
