import { MultiCombobox } from '@grafana/ui';
import React from 'react';

import { LabelledPicker } from 'components/LabelledPicker';
import { selectors } from 'components/selectors';
import type { DataSource } from 'data/datasource';
import { useColumnOptions } from 'hooks/useCatalogOptions';
import { labels } from 'labels';

import { columnKinds, toOption } from './options';

export interface GroupByEditorProps {
  datasource: DataSource;
  table: string;
  groupBy: string[];
  onChange: (groupBy: string[]) => void;
}

/** Columns whose values become series labels: one series per sensor, per host… */
export const GroupByEditor = ({ datasource, table, groupBy, onChange }: GroupByEditorProps) => {
  const loadColumns = useColumnOptions(datasource, table, columnKinds.label);
  return (
    <LabelledPicker testId={selectors.builder.groupBy} label={labels.builder.groupBy.label}>
      {(labelId) => (
        <MultiCombobox
          key={table}
          aria-labelledby={labelId}
          options={loadColumns}
          value={groupBy.map(toOption)}
          placeholder={labels.builder.groupBy.placeholder}
          createCustomValue
          width={36}
          onChange={(options) => onChange(options.map((o) => o.value).filter(Boolean))}
        />
      )}
    </LabelledPicker>
  );
};
