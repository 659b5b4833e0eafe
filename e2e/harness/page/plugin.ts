/**
 * Grafana's plugin import for a data source: read plugin.json (the meta), load the
 * AMD `module.js`, take its `plugin` export and hand it the meta.
 */
import type {
  DataSourceInstanceSettings,
  DataSourcePlugin,
  DataSourcePluginMeta,
  DataSourceSettings,
} from '@grafana/data';

import { loadAmdModule } from './amdLoader';

export const pluginBaseUrl = (pluginId: string) => `/public/plugins/${pluginId}`;

export const loadDataSourcePlugin = async (pluginId: string): Promise<DataSourcePlugin<any, any, any, any>> => {
  const base = pluginBaseUrl(pluginId);
  const response = await fetch(`${base}/plugin.json`);
  if (!response.ok) {
    throw new Error(`no plugin.json at ${base}: is the plugin built (npm run build)?`);
  }
  const json = await response.json();
  const meta = {
    ...json,
    baseUrl: base.slice(1),
    module: `${base.slice(1)}/module.js`,
    info: {
      ...json.info,
      logos: { small: `${base}/${json.info?.logos?.small}`, large: `${base}/${json.info?.logos?.large}` },
    },
  } as DataSourcePluginMeta;
  const exports = await loadAmdModule(`${base}/module.js`);
  const plugin = exports.plugin as DataSourcePlugin<any, any, any, any> | undefined;
  if (!plugin || typeof plugin.DataSourceClass !== 'function') {
    throw new Error(`${base}/module.js does not export a data source plugin named "plugin"`);
  }
  plugin.meta = meta;
  return plugin;
};

/** What Grafana gives a data source's constructor, derived from the saved settings. */
export const toInstanceSettings = (
  settings: DataSourceSettings,
  meta: DataSourcePluginMeta
): DataSourceInstanceSettings => ({
  id: settings.id,
  uid: settings.uid,
  type: settings.type,
  name: settings.name,
  meta,
  readOnly: settings.readOnly,
  url: `/api/datasources/proxy/uid/${settings.uid}`,
  jsonData: settings.jsonData,
  access: 'proxy',
  isDefault: settings.isDefault,
  rawRef: { type: settings.type, uid: settings.uid },
});
