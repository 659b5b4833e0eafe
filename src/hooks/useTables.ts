import type { CatalogTable } from 'timescaledb-gateway/contract';

import type { DataSource } from 'data/datasource';

import { useAsync, type AsyncState } from './useAsync';

/** The gateway's catalog (cached by the data source). */
export const useTables = (datasource: DataSource): AsyncState<CatalogTable[]> =>
  useAsync(() => datasource.catalog.tables(), datasource);
