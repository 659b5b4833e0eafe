import { Select } from '@grafana/ui';
import React from 'react';
import type { CatalogColumn } from 'timescaledb-gateway/contract';

import { selectors } from 'components/selectors';
import { labels } from 'labels';

import { columnOptions, withCurrent } from './options';

export interface TimeColumnSelectProps {
  columns: CatalogColumn[];
  value?: string;
  onChange: (column?: string) => void;
}

export const TimeColumnSelect = ({ columns, value, onChange }: TimeColumnSelectProps) => (
  <div data-testid={selectors.builder.timeColumn}>
    <Select
      aria-label={labels.builder.timeColumn.label}
      options={withCurrent(columnOptions(columns, (c) => c.kind === 'time'), value)}
      value={value || null}
      placeholder={labels.builder.timeColumn.placeholder}
      isClearable
      width={24}
      onChange={(option) => onChange(option?.value || undefined)}
    />
  </div>
);
