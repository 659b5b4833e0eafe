import type { DataSourceInstanceSettings } from '@grafana/data';

import pluginJson from 'plugin.json';
import type { TsDataSourceOptions } from 'types/config';

/** Settings as Grafana hands them to the browser: the data proxy URL and jsonData, never the token. */
export const makeInstanceSettings = (
  jsonData: Partial<TsDataSourceOptions> = {},
  uid = 'tsgw-test'
): DataSourceInstanceSettings<TsDataSourceOptions> =>
  ({
    uid,
    name: 'TimescaleDB test',
    type: pluginJson.id,
    access: 'proxy',
    url: `/api/datasources/proxy/uid/${uid}`,
    jsonData: { url: 'http://127.0.0.1:1', ...jsonData },
    meta: { id: pluginJson.id, name: pluginJson.name } as DataSourceInstanceSettings['meta'],
    readOnly: false,
  }) as DataSourceInstanceSettings<TsDataSourceOptions>;
