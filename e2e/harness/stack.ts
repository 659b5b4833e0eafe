/**
 * Everything the browser tests and `npm run harness` need, started together: the built
 * plugin and host page, a gateway on the embedded TimescaleDB with demo data, and the
 * page server whose data source points at that gateway with a fresh token.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

import { HARNESS_DATASOURCE_UID } from './testIds';
import { buildHostIfStale, buildPluginIfStale } from './server/builds';
import { startGateway, type GatewayProcess } from './server/gatewayProcess';
import { readPluginJson, startPageServer, type DashboardVariable, type PageServer } from './server/pageServer';
import { routeTemplateKeys } from './server/pluginRoutes';
import type { StoredDataSource } from './server/datasourceStore';

export const REPO_ROOT = resolve(__dirname, '..', '..');

export interface Harness {
  /** The host page, e.g. http://127.0.0.1:40123 — `/config` or `/query`. */
  url: string;
  gatewayUrl: string;
  /** Token with the `read` and `sql` scopes, the one the data source is configured with. */
  token: string;
  /** Token with the `write` scope, for tests that add rows through the gateway's REST API. */
  writeToken: string;
  pageServer: PageServer;
  gateway: GatewayProcess;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  port?: number;
  log?: (line: string) => void;
}

const secret = () => randomBytes(24).toString('base64url');

/** The demo sensors, read from the gateway so the variable offers what the data holds. */
const sensorIds = async (gatewayUrl: string, token: string): Promise<string[]> => {
  const response = await fetch(`${gatewayUrl}/timescaledb/data/sensor_data?columns=sensor_id&limit=200`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
  if (!response.ok) {
    throw new Error(`reading the demo sensors failed: ${response.status} ${await response.text()}`);
  }
  const rows = (await response.json()) as Array<{ sensor_id: string }>;
  return [...new Set(rows.map((r) => r.sensor_id))].sort();
};

/** Fills every key the plugin.json routes read with the gateway's URL (jsonData) or the token (secureJsonData). */
const initialDataSource = (
  pluginId: string,
  pluginName: string,
  routes: Parameters<typeof routeTemplateKeys>[0],
  gatewayUrl: string,
  token: string
): StoredDataSource => {
  const keys = routeTemplateKeys(routes);
  return {
    id: 1,
    uid: HARNESS_DATASOURCE_UID,
    orgId: 1,
    name: 'TimescaleDB gateway',
    type: pluginId,
    typeName: pluginName,
    access: 'proxy',
    url: keys.usesUrl ? gatewayUrl : '',
    isDefault: true,
    readOnly: false,
    version: 1,
    jsonData: Object.fromEntries([...keys.jsonData].map((k) => [k, gatewayUrl])),
    secureJsonData: Object.fromEntries([...keys.secureJsonData].map((k) => [k, token])),
  };
};

export const startHarness = async (options: HarnessOptions = {}): Promise<Harness> => {
  const log = options.log ?? (() => {});
  await buildPluginIfStale(REPO_ROOT, log);
  await buildHostIfStale(REPO_ROOT, log);

  const token = secret();
  const writeToken = secret();
  log('starting the gateway (embedded TimescaleDB, demo data)…');
  const gateway = await startGateway(REPO_ROOT, [
    { name: 'harness', secret: token, scopes: ['read', 'sql'] },
    { name: 'harness-writer', secret: writeToken, scopes: ['read', 'write'] },
  ]);
  try {
    const pluginDir = join(REPO_ROOT, 'dist');
    const pluginJson = await readPluginJson(pluginDir);
    const sensors = await sensorIds(gateway.url, token);
    const variables: DashboardVariable[] = [
      {
        name: 'sensor',
        label: 'Sensor',
        options: sensors,
        current: sensors.slice(0, 2),
        multi: true,
        includeAll: true,
      },
    ];
    const pageServer = await startPageServer({
      hostDir: join(REPO_ROOT, 'e2e', 'harness', 'dist'),
      pluginDir,
      pluginId: pluginJson.id,
      routes: pluginJson.routes ?? [],
      datasource: initialDataSource(pluginJson.id, pluginJson.name, pluginJson.routes ?? [], gateway.url, token),
      dashboard: { variables },
      port: options.port,
    });
    return {
      url: pageServer.url,
      gatewayUrl: gateway.url,
      token,
      writeToken,
      pageServer,
      gateway,
      stop: async () => {
        await pageServer.close();
        await gateway.stop();
      },
    };
  } catch (err) {
    await gateway.stop();
    throw err;
  }
};
