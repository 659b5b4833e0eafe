import type { ComboboxOption } from '@grafana/ui';
import type { CatalogColumn, CatalogTable } from 'timescaledb-gateway/contract';

import { labels } from 'labels';

export const tableDescription = (table: CatalogTable): string => {
  const details: string[] = [labels.builder.kinds[table.kind]];
  if (table.continuousAggregate?.bucketWidth) {
    details.push(`bucket ${table.continuousAggregate.bucketWidth}`);
  }
  if (table.foreignTable) {
    const { server, remoteSchema, remoteName } = table.foreignTable;
    details.push(
      labels.builder.foreign.table(server, remoteName ? [remoteSchema, remoteName].filter(Boolean).join('.') : null)
    );
  }
  if (table.foreignSources?.length) {
    details.push(labels.builder.foreign.view(table.foreignSources));
  }
  if (table.hypertable?.compression) {
    details.push('compressed');
  }
  if (table.timeColumn) {
    details.push(`time: ${table.timeColumn}`);
  }
  return details.join(' · ');
};

export const tableOptions = (tables: CatalogTable[]): ComboboxOption[] =>
  tables.map((t) => ({ label: t.name, value: t.name, description: tableDescription(t) }));

export const columnOptions = (
  columns: CatalogColumn[],
  keep: (c: CatalogColumn) => boolean = () => true
): ComboboxOption[] => columns.filter(keep).map((c) => ({ label: c.name, value: c.name, description: c.type }));

/** Which columns each picker offers; module-level so the option loaders built on them stay stable. */
export const columnKinds = {
  any: (c: CatalogColumn) => c.kind !== 'json',
  time: (c: CatalogColumn) => c.kind === 'time',
  number: (c: CatalogColumn) => c.kind === 'number',
  /** Series labels: anything but the time axis and JSON documents. */
  label: (c: CatalogColumn) => c.kind !== 'time' && c.kind !== 'json',
};

/**
 * What an async picker lists for the text typed so far: options whose name contains it
 * (any case), exact and leading matches first. Async Comboboxes leave filtering to their loader.
 */
export const matching = (options: ComboboxOption[], search: string): ComboboxOption[] => {
  const needle = search.trim().toLowerCase();
  if (!needle) {
    return options;
  }
  const rank = (option: ComboboxOption) => {
    const name = (option.label ?? option.value).toLowerCase();
    return name === needle ? 0 : name.startsWith(needle) ? 1 : name.includes(needle) ? 2 : -1;
  };
  return options
    .map((option) => ({ option, rank: rank(option) }))
    .filter((o) => o.rank >= 0)
    .sort((a, b) => a.rank - b.rank)
    .map((o) => o.option);
};

/**
 * The value of an async picker: an option carrying its own label, since the list it came
 * from is only loaded when the picker opens (and may not hold it: variables, typed names).
 */
export const currentOption = (value?: string | null): ComboboxOption | null => (value ? toOption(value) : null);

export const toOption = (value: string): ComboboxOption => ({ label: value, value });
