/**
 * The one stand-in for Grafana's data proxy (`/api/datasources/proxy/uid/<uid>/<path>`),
 * used by the browser harness's page server and by the plugin's jest live tests. It does
 * what Grafana's server does for a frontend plugin, each rule with the Grafana file it
 * follows:
 *
 * - pkg/services/datasourceproxy/datasourceproxy.go: the proxied path is the request's
 *   escaped path after `/api/datasources/proxy/uid/<uid>/`, trailing slash kept.
 * - pkg/api/pluginproxy/ds_proxy.go + ds_auth_provider.go: route matching and application
 *   (pluginRoutes.ts). No matching route → the request goes to the data source's own URL
 *   with no route headers (for this plugin the URL is empty, so it fails as 502).
 * - pkg/api/pluginproxy/ds_proxy.go (director) and pkg/util/proxyutil/proxyutil.go: the
 *   browser's Authorization and Cookie headers are dropped (cookies named in
 *   jsonData.keepCookies kept), Origin and Referer removed (Referer moves to
 *   X-Grafana-Referer), X-Forwarded-Host/Port/Proto removed, X-Forwarded-For appended,
 *   User-Agent set to Grafana's.
 * - pkg/api/pluginproxy/ds_proxy.go (modifyResponse): an upstream 401 becomes a 400 whose
 *   text body is "Authentication to data source failed" (the upstream body is dropped).
 * - pkg/util/proxyutil/reverse_proxy.go: Set-Cookie removed from answers,
 *   `Content-Security-Policy: sandbox` added; when the upstream cannot be reached the
 *   answer is 502, when it times out 504, both with NO body; a client that goes away gets
 *   499. Answers are streamed (Go's ReverseProxy flushes every 200 ms); here every chunk
 *   is written as it arrives.
 * - pkg/services/datasources/service/datasource.go (getTimeout, httpClientOptions) and
 *   pkg/infra/httpclient/httpclientprovider/http_client_provider.go: the upstream timeout is
 *   jsonData.timeout seconds (a number or a numeric string; the server's
 *   [dataproxy] timeout, 30 s by default, when unset). It bounds the wait for the
 *   answer's headers (the transport's ResponseHeaderTimeout), not a streamed body.
 *   TLS from jsonData.tlsSkipVerify, jsonData.tlsAuthWithCACert + secureJsonData.tlsCACert,
 *   jsonData.serverName; custom headers jsonData.httpHeaderName<N> +
 *   secureJsonData.httpHeaderValue<N> (N = 1, 2, … until a name is missing), set by the
 *   transport after the route's headers. All of these apply to plugin routes, because the
 *   data proxy sends route requests through that same transport.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

import { matchRoute, resolveRoute, type PluginRoute } from './pluginRoutes';

/** What Grafana's server holds for one data source: its URL field, jsonData and the decrypted secrets. */
export interface ProxiedDataSource {
  uid: string;
  url?: string;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

export interface DataProxyOptions {
  /** The plugin.json routes of the data source's plugin. */
  routes: PluginRoute[];
  /** The data source for a uid, as saved now (settings may change between requests). */
  datasource: (uid: string) => ProxiedDataSource | undefined;
  /** Grafana's [dataproxy] timeout, seconds; 30 by default. */
  defaultTimeoutSeconds?: number;
}

export interface ProxyAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string | string[]>;
  /** Null for Grafana's own bodiless 502 / 504 / 499. */
  body: Readable | null;
}

export const GRAFANA_AUTH_FAILED = 'Authentication to data source failed';
export const DEFAULT_DATAPROXY_TIMEOUT_SECONDS = 30;
export const DATA_PROXY_PATH = /^\/api\/datasources\/proxy\/uid\/([^/]+)\/?(.*)$/;
const GRAFANA_USER_AGENT = 'Grafana/13.1.1';

/** Go's httputil.ReverseProxy drops hop-by-hop headers both ways; Node sets its own framing. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);
const DROPPED_REQUEST = new Set([
  ...HOP_BY_HOP,
  'authorization',
  'origin',
  'referer',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-proto',
]);

const bodiless = (status: number, statusText: string): ProxyAnswer => ({ status, statusText, headers: {}, body: null });

/** jsonData.timeout as Grafana reads it: MustInt, else a numeric string; ≤ 0 or unset → the server default. */
export const upstreamTimeoutSeconds = (
  jsonData: Record<string, unknown>,
  fallback = DEFAULT_DATAPROXY_TIMEOUT_SECONDS
): number => {
  const raw = jsonData.timeout;
  const seconds =
    typeof raw === 'number' ? Math.trunc(raw) : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : 0;
  return seconds > 0 ? seconds : fallback;
};

/** jsonData.httpHeaderName1/secureJsonData.httpHeaderValue1 … in order, stopping at the first missing name. */
export const customHeaders = (ds: ProxiedDataSource): Array<[string, string]> => {
  const headers: Array<[string, string]> = [];
  for (let i = 1; ; i++) {
    const name = ds.jsonData[`httpHeaderName${i}`];
    if (typeof name !== 'string' || !name) {
      return headers;
    }
    const value = ds.secureJsonData[`httpHeaderValue${i}`];
    if (value !== undefined) {
      headers.push([name, value]);
    }
  }
};

/** Only cookies listed in jsonData.keepCookies survive (ClearCookieHeader); "[]" keeps all, "name[]" a prefix. */
const keptCookies = (cookieHeader: string | undefined, keep: unknown): string | undefined => {
  if (!cookieHeader || !Array.isArray(keep) || !keep.length) {
    return undefined;
  }
  const names = keep.map(String);
  const kept = cookieHeader
    .split(';')
    .map((c) => c.trim())
    .filter((c) => {
      const name = c.split('=')[0];
      return names.some((k) => k === '[]' || (k.endsWith('[]') ? name.startsWith(k.slice(0, -2)) : name === k));
    })
    .sort();
  return kept.length ? kept.join('; ') : undefined;
};

const outgoingHeaders = (
  incoming: IncomingHttpHeaders,
  ds: ProxiedDataSource,
  remoteAddress?: string
): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value !== undefined && !DROPPED_REQUEST.has(name) && name !== 'cookie') {
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  const cookie = keptCookies(incoming.cookie, ds.jsonData.keepCookies);
  if (cookie) {
    headers.cookie = cookie;
  }
  headers['x-grafana-referer'] = typeof incoming.referer === 'string' ? incoming.referer : '';
  if (remoteAddress) {
    const prior = incoming['x-forwarded-for'];
    headers['x-forwarded-for'] = prior ? `${prior}, ${remoteAddress}` : remoteAddress;
  }
  headers['user-agent'] = GRAFANA_USER_AGENT;
  return headers;
};

export interface ProxiedRequest {
  method: string;
  /** The proxied path, escaped, without a leading slash: `gateway/api/v1/info`. */
  proxyPath: string;
  /** The original query string, with its "?" (or empty). */
  search: string;
  headers: IncomingHttpHeaders;
  body?: Readable | Uint8Array;
  remoteAddress?: string;
  /** Aborted when the browser goes away. */
  signal?: AbortSignal;
}

/** One request through the proxy; resolves once the upstream's headers are in (the body streams). */
export const forwardThroughDataProxy = (
  ds: ProxiedDataSource,
  request: ProxiedRequest,
  options: DataProxyOptions
): Promise<ProxyAnswer> => {
  const route = matchRoute(options.routes, request.proxyPath, request.method);
  const headers = outgoingHeaders(request.headers, ds, request.remoteAddress);
  let target: URL;
  try {
    if (route) {
      const resolved = resolveRoute(route, request.proxyPath, request.search, {
        JsonData: ds.jsonData,
        SecureJsonData: ds.secureJsonData,
        URL: ds.url,
      });
      target = resolved.url;
      Object.assign(headers, lowerKeys(resolved.headers));
    } else {
      target = new URL(`${(ds.url ?? '').replace(/\/+$/, '')}/${request.proxyPath}${request.search}`);
    }
  } catch {
    // Go builds a request without a host and its transport fails: the error handler's 502.
    return Promise.resolve(bodiless(502, 'Bad Gateway'));
  }
  for (const [name, value] of customHeaders(ds)) {
    headers[name.toLowerCase()] = value;
  }
  const timeoutMs = upstreamTimeoutSeconds(ds.jsonData, options.defaultTimeoutSeconds) * 1000;
  const tls = {
    rejectUnauthorized: ds.jsonData.tlsSkipVerify !== true,
    ...(ds.jsonData.tlsAuthWithCACert === true && ds.secureJsonData.tlsCACert
      ? { ca: ds.secureJsonData.tlsCACert }
      : {}),
    ...(typeof ds.jsonData.serverName === 'string' && ds.jsonData.serverName
      ? { servername: ds.jsonData.serverName }
      : {}),
  };
  return new Promise<ProxyAnswer>((resolve) => {
    let settled = false;
    const settle = (answer: ProxyAnswer) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(answer);
      }
    };
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const upstream = send(
      target,
      { method: request.method, headers, agent: false, ...(target.protocol === 'https:' ? tls : {}) },
      (response) => settle(toAnswer(response))
    );
    const timer = setTimeout(() => {
      upstream.destroy();
      settle(bodiless(504, 'Gateway Timeout'));
    }, timeoutMs);
    upstream.on('error', () =>
      settle(request.signal?.aborted ? bodiless(499, 'Client Closed Request') : bodiless(502, 'Bad Gateway'))
    );
    request.signal?.addEventListener('abort', () => upstream.destroy());
    if (request.body instanceof Readable) {
      request.body.pipe(upstream);
    } else {
      upstream.end(request.body && request.method !== 'GET' && request.method !== 'HEAD' ? request.body : undefined);
    }
  });
};

const lowerKeys = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

const toAnswer = (response: IncomingMessage): ProxyAnswer => {
  if (response.statusCode === 401) {
    response.resume();
    return {
      status: 400,
      statusText: 'Bad Request',
      headers: { 'content-length': String(Buffer.byteLength(GRAFANA_AUTH_FAILED)) },
      body: Readable.from([Buffer.from(GRAFANA_AUTH_FAILED)]),
    };
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'set-cookie') {
      headers[name] = value;
    }
  }
  headers['content-security-policy'] = 'sandbox';
  return { status: response.statusCode ?? 502, statusText: response.statusMessage ?? '', headers, body: response };
};

/**
 * The page server's handler for `/api/datasources/proxy/uid/<uid>/…`: streams the request
 * body up and the answer down, writing each chunk as it comes.
 */
export const serveDataProxy = async (
  req: IncomingMessage,
  res: ServerResponse,
  options: DataProxyOptions
): Promise<void> => {
  const url = new URL(req.url ?? '/', 'http://grafana');
  const match = DATA_PROXY_PATH.exec(url.pathname);
  const ds = match ? options.datasource(decodeURIComponent(match[1])) : undefined;
  if (!match || !ds) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Data source not found' }));
    return;
  }
  const aborted = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) {
      aborted.abort();
    }
  });
  const answer = await forwardThroughDataProxy(
    ds,
    {
      method: req.method ?? 'GET',
      proxyPath: match[2],
      search: url.search,
      headers: req.headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req,
      remoteAddress: req.socket.remoteAddress,
      signal: aborted.signal,
    },
    options
  );
  res.writeHead(answer.status, answer.statusText, answer.headers);
  if (!answer.body) {
    res.end();
    return;
  }
  try {
    for await (const chunk of answer.body) {
      res.write(chunk);
    }
    res.end();
  } catch {
    res.destroy();
  }
};
