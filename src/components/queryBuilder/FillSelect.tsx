import { Combobox, type ComboboxOption } from '@grafana/ui';
import React from 'react';

import { LabelledPicker } from 'components/LabelledPicker';
import { selectors } from 'components/selectors';
import { labels } from 'labels';
import { FillMode } from 'types/query';

const fillOptions: Array<ComboboxOption<FillMode>> = Object.values(FillMode).map((value) => ({
  value,
  label: labels.builder.fill.options[value],
}));

export interface FillSelectProps {
  fill?: FillMode;
  onChange: (fill: FillMode) => void;
}

export const FillSelect = ({ fill = FillMode.None, onChange }: FillSelectProps) => (
  <LabelledPicker testId={selectors.builder.fill} label={labels.builder.fill.label}>
    {(labelId) => <Combobox aria-labelledby={labelId} options={fillOptions} value={fill} width={20} onChange={(option) => onChange(option.value)} />}
  </LabelledPicker>
);
