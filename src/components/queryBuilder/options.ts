import type { SelectableValue } from '@grafana/data';
import type { CatalogColumn, CatalogTable } from 'timescaledb-gateway/contract';

import { labels } from 'labels';

export const tableDescription = (table: CatalogTable): string => {
  const details: string[] = [labels.builder.kinds[table.kind]];
  if (table.continuousAggregate?.bucketWidth) {
    details.push(`bucket ${table.continuousAggregate.bucketWidth}`);
  }
  if (table.hypertable?.compression) {
    details.push('compressed');
  }
  if (table.timeColumn) {
    details.push(`time: ${table.timeColumn}`);
  }
  return details.join(' · ');
};

export const tableOptions = (tables: CatalogTable[]): Array<SelectableValue<string>> =>
  tables.map((t) => ({ label: t.name, value: t.name, description: tableDescription(t) }));

export const columnOptions = (columns: CatalogColumn[], keep: (c: CatalogColumn) => boolean = () => true): Array<SelectableValue<string>> =>
  columns.filter(keep).map((c) => ({ label: c.name, value: c.name, description: c.type }));

/** Keeps a stored value selectable even when the catalog does not list it (variables, renamed columns). */
export const withCurrent = (options: Array<SelectableValue<string>>, current?: string): Array<SelectableValue<string>> =>
  current && !options.some((o) => o.value === current) ? [...options, { label: current, value: current }] : options;
