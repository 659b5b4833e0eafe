import { RadioButtonGroup } from '@grafana/ui';
import React from 'react';

import { selectors } from 'components/selectors';
import { labels } from 'labels';
import { QueryFormat } from 'types/query';

const formatOptions = Object.values(QueryFormat).map((value) => ({ value, label: labels.queryEditor.format.options[value] }));

export interface FormatSelectProps {
  format?: QueryFormat;
  onChange: (format: QueryFormat) => void;
}

export const FormatSelect = ({ format = QueryFormat.TimeSeries, onChange }: FormatSelectProps) => (
  <div data-testid={selectors.queryEditor.format}>
    <RadioButtonGroup size="sm" aria-label={labels.queryEditor.format.label} options={formatOptions} value={format} onChange={onChange} />
  </div>
);
