/** Grafana's DataSourceSrv over the harness's single data source. */
import type { DataSourceApi, DataSourceInstanceSettings, DataSourceRef } from '@grafana/data';
import type { DataSourceSrv } from '@grafana/runtime';

export class HarnessDataSourceSrv implements DataSourceSrv {
  constructor(private current: { settings: DataSourceInstanceSettings; instance: DataSourceApi }) {}

  setCurrent(current: { settings: DataSourceInstanceSettings; instance: DataSourceApi }) {
    this.current = current;
  }

  private matches(ref?: DataSourceRef | string | null): boolean {
    if (ref === undefined || ref === null) {
      return true;
    }
    const key = typeof ref === 'string' ? ref : ref.uid;
    const { uid, name } = this.current.settings;
    return key === undefined || key === uid || key === name || key === 'default';
  }

  async get(ref?: DataSourceRef | string | null): Promise<DataSourceApi> {
    if (!this.matches(ref)) {
      throw new Error(`Datasource ${JSON.stringify(ref)} was not found`);
    }
    return this.current.instance;
  }

  getList(): DataSourceInstanceSettings[] {
    return [this.current.settings];
  }

  getInstanceSettings(ref?: DataSourceRef | string | null): DataSourceInstanceSettings | undefined {
    return this.matches(ref) ? this.current.settings : undefined;
  }

  async reload(): Promise<void> {}

  registerRuntimeDataSource(): void {
    throw new Error('runtime data sources are not supported by the harness');
  }
}
