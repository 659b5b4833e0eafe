import { Select } from '@grafana/ui';
import React from 'react';
import type { CatalogTable } from 'timescaledb-gateway/contract';

import { selectors } from 'components/selectors';
import { labels } from 'labels';

import { tableOptions, withCurrent } from './options';

export interface TableSelectProps {
  tables: CatalogTable[];
  loading: boolean;
  value: string;
  onChange: (table: string, catalogEntry?: CatalogTable) => void;
}

/** Tables from the catalog; the description tells hypertables, continuous aggregates and views apart. */
export const TableSelect = ({ tables, loading, value, onChange }: TableSelectProps) => (
  <div data-testid={selectors.builder.table}>
    <Select
      aria-label={labels.builder.table.label}
      options={withCurrent(tableOptions(tables), value)}
      value={value || null}
      isLoading={loading}
      placeholder={labels.builder.table.placeholder}
      allowCustomValue
      width={36}
      onChange={(option) => {
        const name = option?.value ?? '';
        onChange(name, tables.find((t) => t.name === name));
      }}
    />
  </div>
);
