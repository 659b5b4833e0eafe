import type { ColumnsResponse } from 'timescaledb-gateway/contract';

import type { DataSource } from 'data/datasource';

import { useAsync, type AsyncState } from './useAsync';

/** Columns (and the time column guess) of one table; nothing while no table is chosen. */
export const useColumns = (datasource: DataSource, table: string | undefined): AsyncState<ColumnsResponse> =>
  useAsync(() => (table && !table.includes('$') ? datasource.catalog.columnsOf(table) : undefined), datasource, table);
