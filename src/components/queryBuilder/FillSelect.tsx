import { Combobox, type ComboboxOption } from '@grafana/ui';
import React from 'react';
import { FILL_MODES } from 'timescaledb-gateway/contract/vocabulary';

import { LabelledPicker } from 'components/LabelledPicker';
import { selectors } from 'components/selectors';
import { labels } from 'labels';
import { type FillMode } from 'types/query';

const fillOptions: Array<ComboboxOption<FillMode>> = FILL_MODES.map((value) => ({
  value,
  label: labels.builder.fill.options[value],
}));

export interface FillSelectProps {
  fill?: FillMode;
  onChange: (fill: FillMode) => void;
}

export const FillSelect = ({ fill = 'none', onChange }: FillSelectProps) => (
  <LabelledPicker testId={selectors.builder.fill} label={labels.builder.fill.label}>
    {(labelId) => (
      <Combobox
        aria-labelledby={labelId}
        options={fillOptions}
        value={fill}
        width={20}
        onChange={(option) => onChange(option.value)}
      />
    )}
  </LabelledPicker>
);
