import type { DataSourceJsonData } from '@grafana/data';

/** Saved in plain jsonData (visible to the browser). */
export interface TsDataSourceOptions extends DataSourceJsonData {
  /** Gateway base URL, e.g. http://gateway:8080 — the plugin.json route targets it. */
  url?: string;
  /**
   * Seconds Grafana's data proxy waits for the gateway (it reads jsonData.timeout itself,
   * 30 s when unset); the browser waits a few seconds longer.
   */
  timeout?: number;
  /** Grafana's HTTP client settings, honoured by its data proxy for the plugin.json routes. */
  tlsSkipVerify?: boolean;
  tlsAuthWithCACert?: boolean;
  serverName?: string;
  /** Custom headers: httpHeaderName1 … with the values in secureJsonData.httpHeaderValue1 … */
  [customHeaderName: `httpHeaderName${number}`]: string | undefined;
  /** Grafana's own "min interval" setting, e.g. "10s". */
  timeInterval?: string;
  /** Table whose columns are the ad hoc filter keys; defaults to the first hypertable. */
  adHocTable?: string;
}

/** Saved encrypted; Grafana's data proxy injects it, the browser never reads it back. */
export interface TsSecureJsonData {
  token?: string;
  /** PEM of the CA that signed the gateway's certificate (with jsonData.tlsAuthWithCACert). */
  tlsCACert?: string;
  [customHeaderValue: `httpHeaderValue${number}`]: string | undefined;
}

/**
 * The timeout the config editor and the provisioning example write into jsonData.timeout:
 * longer than the gateway's STATEMENT_TIMEOUT_MS default (30 s), so a slow statement ends
 * with the gateway's own statement_timeout error rather than the proxy's bodiless 504.
 */
export const DEFAULT_TIMEOUT_SECONDS = 60;

/** Grafana's [dataproxy] timeout default, used by the proxy when jsonData.timeout is unset. */
export const GRAFANA_PROXY_TIMEOUT_SECONDS = 30;
