import type { CatalogColumn, CatalogTable, ColumnsResponse } from 'timescaledb-gateway/contract';

import type { GatewayClient } from './gatewayClient';

/**
 * The catalog changes rarely but every editor asks for it: one request per data
 * source instance, shared by all editors. Failures are not kept, so the next
 * editor that mounts tries again; `refresh()` forgets everything.
 */
export class CatalogCache {
  private tablesPromise?: Promise<CatalogTable[]>;
  private readonly columnsPromises = new Map<string, Promise<ColumnsResponse>>();

  constructor(private readonly client: GatewayClient) {}

  tables(): Promise<CatalogTable[]> {
    if (!this.tablesPromise) {
      const promise = this.client.catalog().then((catalog) => catalog.tables);
      promise.catch(() => {
        if (this.tablesPromise === promise) {
          this.tablesPromise = undefined;
        }
      });
      this.tablesPromise = promise;
    }
    return this.tablesPromise;
  }

  table(name: string): Promise<CatalogTable | undefined> {
    return this.tables().then((tables) => tables.find((t) => t.name === name));
  }

  columnsOf(table: string): Promise<ColumnsResponse> {
    let promise = this.columnsPromises.get(table);
    if (!promise) {
      promise = this.client.columns(table);
      const stored = promise;
      stored.catch(() => {
        if (this.columnsPromises.get(table) === stored) {
          this.columnsPromises.delete(table);
        }
      });
      this.columnsPromises.set(table, promise);
    }
    return promise;
  }

  columns(table: string): Promise<CatalogColumn[]> {
    return this.columnsOf(table).then((response) => response.columns);
  }

  refresh(): void {
    this.tablesPromise = undefined;
    this.columnsPromises.clear();
  }
}
