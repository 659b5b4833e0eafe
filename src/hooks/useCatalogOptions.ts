import type { ComboboxOption } from '@grafana/ui';
import { useCallback } from 'react';
import type { CatalogColumn } from 'timescaledb-gateway/contract';

import { columnOptions, matching, tableOptions } from 'components/queryBuilder/options';
import type { DataSource } from 'data/datasource';

/** Loads a picker's options for the text typed so far (Combobox calls it on open and on typing). */
export type OptionsLoader = (search: string) => Promise<ComboboxOption[]>;

/** The gateway catalog's tables; the data source caches the catalog, so reopening costs no request. */
export const useTableOptions = (datasource: DataSource): OptionsLoader =>
  useCallback(
    (search: string) => datasource.catalog.tables().then((tables) => matching(tableOptions(tables), search)),
    [datasource]
  );

/**
 * The columns of `table` that `keep` accepts. A table given as a template variable has no
 * columns to list until the dashboard runs: those pickers take typed names only.
 */
export const useColumnOptions = (
  datasource: DataSource,
  table: string | undefined,
  keep: (c: CatalogColumn) => boolean
): OptionsLoader =>
  useCallback(
    async (search: string) => {
      if (!table || table.includes('$')) {
        return [];
      }
      const columns = await datasource.catalog.columns(table);
      return matching(columnOptions(columns, keep), search);
    },
    [datasource, table, keep]
  );
