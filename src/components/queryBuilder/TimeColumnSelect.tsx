import { Combobox } from '@grafana/ui';
import React from 'react';

import { LabelledPicker } from 'components/LabelledPicker';
import { selectors } from 'components/selectors';
import type { DataSource } from 'data/datasource';
import { useColumnOptions } from 'hooks/useCatalogOptions';
import { labels } from 'labels';

import { columnKinds, currentOption } from './options';

export interface TimeColumnSelectProps {
  datasource: DataSource;
  table: string;
  value?: string;
  onChange: (column?: string) => void;
}

/** Cleared, the gateway falls back to the table's own time column. */
export const TimeColumnSelect = ({ datasource, table, value, onChange }: TimeColumnSelectProps) => {
  const loadColumns = useColumnOptions(datasource, table, columnKinds.time);
  return (
    <LabelledPicker testId={selectors.builder.timeColumn} label={labels.builder.timeColumn.label}>
      {(labelId) => (
        <Combobox
          key={table}
          aria-labelledby={labelId}
          options={loadColumns}
          value={currentOption(value)}
          placeholder={labels.builder.timeColumn.placeholder}
          isClearable
          width={24}
          onChange={(option) => onChange(option?.value || undefined)}
        />
      )}
    </LabelledPicker>
  );
};
