import { Combobox } from '@grafana/ui';
import React from 'react';

import { LabelledPicker } from 'components/LabelledPicker';
import { selectors } from 'components/selectors';
import type { DataSource } from 'data/datasource';
import { useTableOptions } from 'hooks/useCatalogOptions';
import { labels } from 'labels';

import { currentOption } from './options';

export interface TableSelectProps {
  datasource: DataSource;
  value: string;
  onChange: (table: string) => void;
}

/** Tables from the catalog; the description tells hypertables, continuous aggregates and views apart. */
export const TableSelect = ({ datasource, value, onChange }: TableSelectProps) => {
  const loadTables = useTableOptions(datasource);
  return (
    <LabelledPicker testId={selectors.builder.table} label={labels.builder.table.label}>
      {(labelId) => (
        <Combobox
          aria-labelledby={labelId}
          options={loadTables}
          value={currentOption(value)}
          placeholder={labels.builder.table.placeholder}
          createCustomValue
          width={36}
          onChange={(option) => onChange(option.value)}
        />
      )}
    </LabelledPicker>
  );
};
