import { MultiSelect } from '@grafana/ui';
import React from 'react';
import type { CatalogColumn } from 'timescaledb-gateway/contract';

import { selectors } from 'components/selectors';
import { labels } from 'labels';

import { columnOptions } from './options';

export interface GroupByEditorProps {
  groupBy: string[];
  columns: CatalogColumn[];
  onChange: (groupBy: string[]) => void;
}

/** Columns whose values become series labels: one series per sensor, per host… */
export const GroupByEditor = ({ groupBy, columns, onChange }: GroupByEditorProps) => (
  <div data-testid={selectors.builder.groupBy}>
    <MultiSelect
      aria-label={labels.builder.groupBy.label}
      options={columnOptions(columns, (c) => c.kind !== 'time' && c.kind !== 'json')}
      value={groupBy}
      placeholder={labels.builder.groupBy.placeholder}
      allowCustomValue
      width={36}
      onChange={(options) => onChange(options.map((o) => o.value!).filter(Boolean))}
    />
  </div>
);
