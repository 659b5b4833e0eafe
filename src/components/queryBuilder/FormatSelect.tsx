import { RadioButtonGroup } from '@grafana/ui';
import React from 'react';
import { FORMATS } from 'timescaledb-gateway/contract/vocabulary';

import { selectors } from 'components/selectors';
import { labels } from 'labels';
import { type Format } from 'types/query';

const formatOptions = FORMATS.map((value) => ({ value, label: labels.queryEditor.format.options[value] }));

export interface FormatSelectProps {
  format?: Format;
  onChange: (format: Format) => void;
}

export const FormatSelect = ({ format = 'time_series', onChange }: FormatSelectProps) => (
  <div data-testid={selectors.queryEditor.format}>
    <RadioButtonGroup
      size="sm"
      aria-label={labels.queryEditor.format.label}
      options={formatOptions}
      value={format}
      onChange={onChange}
    />
  </div>
);
