import { Readable } from 'node:stream';

import pluginJson from 'plugin.json';

import { HarnessBackendSrv } from '../../e2e/harness/page/services/backendSrv';
import { DATA_PROXY_PATH, forwardThroughDataProxy, type ProxiedDataSource } from '../../e2e/harness/server/dataProxy';
import type { PluginRoute } from '../../e2e/harness/server/pluginRoutes';

export type { ProxiedDataSource };

const routes = (pluginJson as { routes?: PluginRoute[] }).routes ?? [];

const requestBody = (body: BodyInit | null | undefined): Uint8Array | undefined => {
  if (body === undefined || body === null) {
    return undefined;
  }
  if (typeof body === 'string') {
    return Buffer.from(body);
  }
  if (body instanceof Uint8Array) {
    return body;
  }
  throw new Error('the data proxy stand-in takes string or byte bodies in jest');
};

/**
 * `fetch` as a browser inside Grafana sees it: data proxy URLs are answered in process by
 * the same data proxy stand-in the browser harness serves (e2e/harness/server/dataProxy.ts);
 * everything else goes to the real network.
 */
export const createProxyFetch =
  (datasources: ProxiedDataSource[], realFetch: typeof fetch = fetch): typeof fetch =>
  async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), 'http://grafana.test');
    const match = DATA_PROXY_PATH.exec(url.pathname);
    if (!match) {
      return realFetch(input, init);
    }
    const options = { routes, datasource: (uid: string) => datasources.find((d) => d.uid === uid) };
    const ds = options.datasource(decodeURIComponent(match[1]));
    if (!ds) {
      return new Response(JSON.stringify({ message: 'Data source not found' }), { status: 404 });
    }
    const answer = await forwardThroughDataProxy(
      ds,
      {
        method: (init?.method ?? 'GET').toUpperCase(),
        proxyPath: match[2],
        search: url.search,
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
        body: requestBody(init?.body),
        signal: init?.signal ?? undefined,
      },
      options
    );
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      (Array.isArray(value) ? value : [value]).forEach((v) => headers.append(name, v));
    }
    const body = answer.body ? (Readable.toWeb(answer.body) as ReadableStream<Uint8Array>) : null;
    return new Response(body, { status: answer.status, statusText: answer.statusText, headers });
  };

/**
 * Grafana's BackendSrv for jest: the browser harness's own (errors shaped by Grafana's
 * processRequestError), over the data proxy stand-in.
 */
export const createProxyBackendSrv = (datasources: ProxiedDataSource[]) => {
  globalThis.fetch = createProxyFetch(datasources, globalThis.fetch);
  return new HarnessBackendSrv();
};
