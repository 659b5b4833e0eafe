import type { BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { defer, type Observable } from 'rxjs';

import pluginJson from 'plugin.json';

/** What Grafana's server knows about one data source: public jsonData and the decrypted secrets. */
export interface ProxiedDataSource {
  uid: string;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

interface Route {
  path: string;
  url: string;
  headers?: Array<{ name: string; content: string }>;
}

const PROXY_PREFIX = /^\/api\/datasources\/proxy\/uid\/([^/]+)\/(.*)$/;

/** Grafana fills `{{ .JsonData.x }}` / `{{ .SecureJsonData.x }}` in route urls and headers. */
const fillTemplate = (template: string, ds: ProxiedDataSource): string =>
  template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_m, bag: string, key: string) =>
    String((bag === 'JsonData' ? ds.jsonData[key] : ds.secureJsonData[key]) ?? '')
  );

/**
 * A stand-in for Grafana's data proxy, driven by the real plugin.json: the browser side
 * calls `/api/datasources/proxy/uid/<uid>/<route path>/…`, this forwards to the route's
 * url plus the rest of the path, with the route's headers filled from the data source's
 * settings. The caller's own Authorization header is dropped, as Grafana does.
 */
export const proxyRequest = async (datasources: ProxiedDataSource[], options: BackendSrvRequest): Promise<FetchResponse> => {
  const match = PROXY_PREFIX.exec(options.url.split('?')[0]);
  if (!match) {
    throw new Error(`not a data proxy URL: ${options.url}`);
  }
  const [, uid, proxyPath] = match;
  const ds = datasources.find((d) => d.uid === uid);
  if (!ds) {
    throw makeError(404, 'Not Found', { message: 'Data source not found' }, options);
  }
  const routes = ((pluginJson as { routes?: Route[] }).routes ?? []).filter((r) => proxyPath === r.path || proxyPath.startsWith(`${r.path}/`));
  const route = routes[0];
  if (!route) {
    throw makeError(404, 'Not Found', { message: 'no route matches' }, options);
  }
  const base = fillTemplate(route.url, ds).replace(/\/+$/, '');
  const rest = proxyPath.slice(route.path.length).replace(/^\/+/, '');
  const target = new URL(`${base}/${rest}`);
  for (const [key, value] of Object.entries(options.params ?? {})) {
    target.searchParams.set(key, String(value));
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (name.toLowerCase() !== 'authorization') {
      headers[name] = String(value);
    }
  }
  for (const header of route.headers ?? []) {
    headers[header.name] = fillTemplate(header.content, ds);
  }
  const method = (options.method ?? 'GET').toUpperCase();
  let body: string | undefined;
  if (options.data !== undefined && method !== 'GET') {
    body = JSON.stringify(options.data);
    headers['content-type'] = 'application/json';
  }

  let response: Response;
  try {
    response = await fetch(target, { method, headers, body });
  } catch {
    // Grafana's proxy answers 502 itself when the target does not answer.
    throw makeError(502, 'Bad Gateway', undefined, options);
  }
  const text = await response.text();
  let data: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) {
    data = JSON.parse(text);
  }
  if (!response.ok) {
    throw makeError(response.status, response.statusText, data, options);
  }
  return {
    data,
    status: response.status,
    statusText: response.statusText,
    ok: true,
    headers: response.headers,
    redirected: false,
    type: 'basic',
    url: target.toString(),
    config: options,
  } as FetchResponse;
};

const makeError = (status: number, statusText: string, data: unknown, config: BackendSrvRequest): FetchError =>
  ({ status, statusText, data, config }) as FetchError;

/** A `getBackendSrv()` whose fetch goes through the data proxy stand-in. */
export const createProxyBackendSrv = (datasources: ProxiedDataSource[]) => ({
  fetch: <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    defer(() => proxyRequest(datasources, options) as Promise<FetchResponse<T>>),
});
