/**
 * The harness's stand-in for the Grafana server: serves the host page and the built
 * plugin (under Grafana's `public/plugins/<id>/` path), keeps the data source settings,
 * and runs the data proxy stand-in (dataProxy.ts) on `/api/datasources/proxy/uid/<uid>/...`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';

import { applySettingsUpdate, toPublicSettings, type SettingsUpdate, type StoredDataSource } from './datasourceStore';
import { serveDataProxy, type DataProxyOptions } from './dataProxy';
import type { PluginRoute } from './pluginRoutes';
import type { HarnessVariable } from '../page/services/templateSrv';

export interface PageServerOptions {
  /** Folder of the built host page (index.html + bundles). */
  hostDir: string;
  /** The plugin's dist/ folder. */
  pluginDir: string;
  pluginId: string;
  routes: PluginRoute[];
  datasource: StoredDataSource;
  /** The dashboard around the panel: its template variables. */
  dashboard: { variables: DashboardVariable[] };
  port?: number;
}

/** A custom multi-value variable, as the page's TemplateSrv takes it. */
export type DashboardVariable = HarnessVariable;

export interface PageServer {
  url: string;
  server: Server;
  /** Current saved settings, secrets included (for tests that need to assert what was saved). */
  datasource(): StoredDataSource;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.md': 'text/markdown; charset=utf-8',
};

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
};

const serveFile = async (res: ServerResponse, root: string, relative: string): Promise<boolean> => {
  const file = resolve(root, '.' + sep + decodeURIComponent(relative));
  if (!file.startsWith(resolve(root) + sep)) {
    return false;
  }
  try {
    if (!(await stat(file)).isFile()) {
      return false;
    }
  } catch {
    return false;
  }
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  res.end(await readFile(file));
  return true;
};

export const startPageServer = async (options: PageServerOptions): Promise<PageServer> => {
  let datasource = options.datasource;
  const pluginPrefix = `/public/plugins/${options.pluginId}/`;
  const dsPath = `/api/datasources/uid/${datasource.uid}`;
  const proxyPrefix = `/api/datasources/proxy/`;

  const proxyOptions: DataProxyOptions = {
    routes: options.routes,
    datasource: (uid) => (uid === datasource.uid ? datasource : undefined),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://harness');
    const path = url.pathname;
    if (path.startsWith(proxyPrefix)) {
      return serveDataProxy(req, res, proxyOptions);
    }
    if (path === dsPath && req.method === 'GET') {
      return sendJson(res, 200, toPublicSettings(datasource));
    }
    if (path === dsPath && req.method === 'PUT') {
      let update: SettingsUpdate;
      try {
        update = JSON.parse((await readBody(req)).toString('utf8')) as SettingsUpdate;
      } catch {
        return sendJson(res, 400, { message: 'bad request data' });
      }
      datasource = applySettingsUpdate(datasource, update);
      const publicSettings = toPublicSettings(datasource);
      return sendJson(res, 200, {
        datasource: publicSettings,
        id: datasource.id,
        name: datasource.name,
        message: 'Datasource updated',
      });
    }
    if (path === '/api/harness/dashboard') {
      return sendJson(res, 200, options.dashboard);
    }
    if (path.startsWith('/api/')) {
      return sendJson(res, 404, { message: `not found: ${path}` });
    }
    if (path.startsWith(pluginPrefix) && (await serveFile(res, options.pluginDir, path.slice(pluginPrefix.length)))) {
      return;
    }
    if (path.startsWith('/harness/') && (await serveFile(res, options.hostDir, path.slice('/harness/'.length)))) {
      return;
    }
    if (req.method === 'GET' && !extname(path)) {
      // Every page path is the single-page host, like Grafana's own routes.
      await serveFile(res, options.hostDir, 'index.html');
      return;
    }
    sendJson(res, 404, { message: `not found: ${path}` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) {
        sendJson(res, 500, { message: err.message });
      } else {
        res.destroy(err);
      }
    });
  });
  await new Promise<void>((ok) => server.listen(options.port ?? 0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    datasource: () => datasource,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
};

/** Reads a built plugin's plugin.json (from dist/, where %VERSION% is already filled in). */
export const readPluginJson = async (
  pluginDir: string
): Promise<{ id: string; name: string; routes?: PluginRoute[] }> =>
  JSON.parse(await readFile(join(pluginDir, 'plugin.json'), 'utf8'));
