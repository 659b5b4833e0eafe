import type { DataSourceJsonData } from '@grafana/data';

/** Saved in plain jsonData (visible to the browser). */
export interface TsDataSourceOptions extends DataSourceJsonData {
  /** Gateway base URL, e.g. http://gateway:8080 — the plugin.json route targets it. */
  url?: string;
  /** Seconds the browser waits for one query before giving up. */
  timeout?: number;
  /** Grafana's own "min interval" setting, e.g. "10s". */
  timeInterval?: string;
  /** Table whose columns are the ad hoc filter keys; defaults to the first hypertable. */
  adHocTable?: string;
}

/** Saved encrypted; Grafana's data proxy injects it, the browser never reads it back. */
export interface TsSecureJsonData {
  token?: string;
}

export const DEFAULT_TIMEOUT_SECONDS = 60;
