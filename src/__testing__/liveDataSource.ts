import { randomBytes } from 'node:crypto';

import { DataSource } from 'data/datasource';
import type { TsDataSourceOptions } from 'types/config';

import { LIVE_ENV } from './gatewayProcess';
import { proxiedDataSources, templateSrv } from './grafanaRuntime';
import { makeInstanceSettings } from './instanceSettings';

/** The gateway the live global setup started. */
export const liveGateway = () => {
  const url = process.env[LIVE_ENV.url];
  if (!url) {
    throw new Error('no live gateway: run these tests through the "live" jest project');
  }
  return {
    url,
    token: process.env[LIVE_ENV.token]!,
    readOnlyToken: process.env[LIVE_ENV.readOnlyToken]!,
    writeToken: process.env[LIVE_ENV.writeToken]!,
  };
};

/**
 * A data source as Grafana would create it for saved settings: the browser side gets
 * only the proxy URL and jsonData; the token stays with the data proxy stand-in.
 */
export const createLiveDataSource = (
  options: { token?: string; url?: string; jsonData?: Partial<TsDataSourceOptions> } = {}
) => {
  const gateway = liveGateway();
  const uid = `live-${randomBytes(4).toString('hex')}`;
  const jsonData = { url: options.url ?? gateway.url, ...options.jsonData };
  proxiedDataSources.push({ uid, jsonData, secureJsonData: { token: options.token ?? gateway.token } });
  return new DataSource(makeInstanceSettings(jsonData, uid), templateSrv);
};
