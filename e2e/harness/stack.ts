/**
 * Everything the browser tests and `npm run harness` need: the built plugin, a gateway
 * on the embedded TimescaleDB with demo data, and per runtime a host page and the page
 * server whose data source points at that gateway with a fresh token. One gateway serves
 * every runtime's page server: the runtimes differ in the browser only.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

import { HARNESS_DATASOURCE_UID } from './testIds';
import { harnessRuntime, runtimeVersions, type RuntimeName, type RuntimeVersions } from './runtimes';
import { buildHostIfStale, buildPluginIfStale } from './server/builds';
import { startGateway, type GatewayProcess } from './server/gatewayProcess';
import { readPluginJson, startPageServer, type DashboardVariable, type PageServer } from './server/pageServer';
import { routeTemplateKeys } from './server/pluginRoutes';
import type { StoredDataSource } from './server/datasourceStore';

export const REPO_ROOT = resolve(__dirname, '..', '..');
const PLUGIN_DIR = join(REPO_ROOT, 'dist');

type Log = (line: string) => void;

/** The embedded TimescaleDB and the demo seed start in seconds, but minutes on a loaded CI machine. */
const GATEWAY_START_TIMEOUT_MS = 300_000;

/** The gateway with its tokens and the demo sensors it holds. */
export interface HarnessGateway {
  gatewayUrl: string;
  /** Token with the `read` and `sql` scopes, the one the data source is configured with. */
  token: string;
  /** Token with the `write` scope, for tests that add rows through the gateway's REST API. */
  writeToken: string;
  gateway: GatewayProcess;
  sensors: string[];
  /** False once the gateway process has exited (a test stopped it, or it crashed). */
  running(): boolean;
  stop(): Promise<void>;
}

export interface Harness extends Omit<HarnessGateway, 'stop' | 'running' | 'sensors'> {
  /** The host page, e.g. http://127.0.0.1:40123 — `/config` or `/query`. */
  url: string;
  runtime: RuntimeName;
  /** The Grafana and React versions this page hosts the plugin in. */
  versions: RuntimeVersions;
  pageServer: PageServer;
  /** Saves the data source settings the harness started with (URL, token), as the settings page would. */
  resetDataSource(): Promise<void>;
  /** Stops the page server, and the gateway when this harness started it. */
  stop(): Promise<void>;
}

export interface HarnessOptions {
  runtime: RuntimeName;
  port?: number;
  log?: Log;
  /** A gateway to share (not stopped by `stop()`); without it the harness starts its own. */
  gateway?: HarnessGateway;
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

/** Builds the plugin when stale, then starts the gateway with two fresh tokens and the demo data. */
export const startHarnessGateway = async (log: Log = () => {}): Promise<HarnessGateway> => {
  await buildPluginIfStale(REPO_ROOT, log);
  const token = secret();
  const writeToken = secret();
  log('starting the gateway (embedded TimescaleDB, demo data)…');
  const gateway = await startGateway(
    REPO_ROOT,
    [
      { name: 'harness', secret: token, scopes: ['read', 'sql'] },
      { name: 'harness-writer', secret: writeToken, scopes: ['read', 'write'] },
    ],
    GATEWAY_START_TIMEOUT_MS
  );
  try {
    return {
      gatewayUrl: gateway.url,
      token,
      writeToken,
      gateway,
      sensors: await sensorIds(gateway.url, token),
      running: () => gateway.child.exitCode === null && gateway.child.signalCode === null,
      stop: async () => {
        await gateway.stop();
      },
    };
  } catch (err) {
    await gateway.stop();
    throw err;
  }
};

/**
 * The saved settings a page server starts from, sent back through Grafana's settings API:
 * the initial URL, jsonData and secrets, and every other secret a test saved reset.
 */
const resetSettings = async (pageServer: PageServer, initial: StoredDataSource) => {
  const saved = pageServer.datasource();
  const dropped = Object.keys(saved.secureJsonData).filter((key) => !(key in initial.secureJsonData));
  const response = await fetch(`${pageServer.url}/api/datasources/uid/${initial.uid}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...saved,
      name: initial.name,
      url: initial.url,
      jsonData: initial.jsonData,
      secureJsonData: initial.secureJsonData,
      secureJsonFields: Object.fromEntries(dropped.map((key) => [key, false])),
    }),
  });
  if (!response.ok) {
    throw new Error(`resetting the data source settings failed: ${response.status} ${await response.text()}`);
  }
};

export const startHarness = async (options: HarnessOptions): Promise<Harness> => {
  const log = options.log ?? (() => {});
  const runtime = harnessRuntime(REPO_ROOT, options.runtime);
  const shared = options.gateway;
  const gateway = shared ?? (await startHarnessGateway(log));
  try {
    await buildPluginIfStale(REPO_ROOT, log);
    await buildHostIfStale(REPO_ROOT, runtime, log);
    const pluginJson = await readPluginJson(PLUGIN_DIR);
    const variables: DashboardVariable[] = [
      {
        name: 'sensor',
        label: 'Sensor',
        options: gateway.sensors,
        current: gateway.sensors.slice(0, 2),
        multi: true,
        includeAll: true,
      },
    ];
    const routes = pluginJson.routes ?? [];
    const datasource = initialDataSource(pluginJson.id, pluginJson.name, routes, gateway.gatewayUrl, gateway.token);
    const pageServer = await startPageServer({
      hostDir: runtime.hostDir,
      pluginDir: PLUGIN_DIR,
      pluginId: pluginJson.id,
      routes,
      datasource,
      dashboard: { variables },
      port: options.port,
    });
    return {
      url: pageServer.url,
      runtime: runtime.name,
      versions: runtimeVersions(runtime),
      gatewayUrl: gateway.gatewayUrl,
      token: gateway.token,
      writeToken: gateway.writeToken,
      gateway: gateway.gateway,
      pageServer,
      resetDataSource: () => resetSettings(pageServer, datasource),
      stop: async () => {
        await pageServer.close();
        if (!shared) {
          await gateway.stop();
        }
      },
    };
  } catch (err) {
    if (!shared) {
      await gateway.stop();
    }
    throw err;
  }
};
