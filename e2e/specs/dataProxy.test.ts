/**
 * The data proxy stand-in (e2e/harness/server/dataProxy.ts) — used by the browser harness
 * and the plugin's jest live tests — against small local upstream servers. Each test names
 * the Grafana source whose behaviour it pins.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  GRAFANA_AUTH_FAILED,
  serveDataProxy,
  upstreamTimeoutSeconds,
  type DataProxyOptions,
  type ProxiedDataSource,
} from '../harness/server/dataProxy';
import {
  interpolateRouteTemplate,
  matchRoute,
  routeTemplateKeys,
  type PluginRoute,
} from '../harness/server/pluginRoutes';

const pluginJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'src', 'plugin.json'), 'utf8')) as {
  routes: PluginRoute[];
};

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const close = (server: Server) =>
  new Promise<void>((ok) => {
    server.closeAllConnections();
    server.close(() => ok());
  });

/** An upstream that records what reached it and answers by path. */
const startUpstream = async (handle: (req: IncomingMessage, res: ServerResponse) => void) => {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handle(req, res);
  });
  return { seen, url: `http://${await listen(server)}`, server };
};

/** A proxy in front of one data source whose settings the test may change. */
const startProxy = async (routes: PluginRoute[], ds: ProxiedDataSource) => {
  const options: DataProxyOptions = { routes, datasource: (uid) => (uid === ds.uid ? ds : undefined) };
  const server = createServer((req, res) => void serveDataProxy(req, res, options));
  const base = `http://${await listen(server)}/api/datasources/proxy/uid/${ds.uid}`;
  return { base, server };
};

const token = 's3cret';
const gatewayRoute = (url: string): PluginRoute => ({
  path: 'gateway',
  url,
  headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.token }}' }],
});

describe('data proxy stand-in: routes', () => {
  it('picks the first route whose method fits and whose cleaned path is a plain string prefix (pkg/api/pluginproxy/ds_proxy.go validateRequest)', () => {
    const routes: PluginRoute[] = [
      { path: 'gateway/api/v1/query', method: 'POST', url: 'http://q' },
      { path: 'gateway/api', method: 'GET', url: 'http://g' },
    ];
    assert.equal(matchRoute(routes, 'gateway/api/v1/query', 'POST')?.url, 'http://q');
    assert.equal(matchRoute(routes, 'gateway/api/v1/query', 'GET')?.url, 'http://g');
    assert.equal(matchRoute(routes, 'gateway/api/v1/info', 'POST'), undefined);
    // util.CleanRelativePath on both sides, then strings.HasPrefix: not whole segments.
    assert.equal(matchRoute(routes, '/gateway/./apix/', 'GET')?.url, 'http://g');
    assert.equal(matchRoute(routes, 'gateway/x/../api', 'GET')?.url, 'http://g');
  });

  it('routes the plugin’s reads as GET and only the query endpoint as POST (src/plugin.json against ds_proxy.go matching)', () => {
    const routes = pluginJson.routes;
    for (const path of [
      'gateway/api/v1/info',
      'gateway/api/v1/catalog',
      'gateway/api/v1/catalog/t/columns',
      'gateway/timescaledb/data/t',
    ]) {
      assert.ok(matchRoute(routes, path, 'GET'), path);
      assert.equal(matchRoute(routes, path, 'POST'), undefined, `POST ${path}`);
    }
    assert.ok(matchRoute(routes, 'gateway/api/v1/query', 'POST'));
    assert.equal(matchRoute(routes, 'gateway/api/v1/query', 'GET'), undefined);
    // The builder's SQL preview: a POST below the query route, as Grafana's prefix match reads it.
    assert.ok(matchRoute(routes, 'gateway/api/v1/query/render', 'POST'));
    assert.equal(matchRoute(routes, 'gateway/api/v1/catalog/refresh', 'POST'), undefined);
  });

  it('prints a missing template key as "<no value>", as Go text/template does (pkg/api/pluginproxy/utils.go)', () => {
    assert.equal(
      interpolateRouteTemplate('Bearer {{ .SecureJsonData.token }}', { JsonData: {}, SecureJsonData: {} }),
      'Bearer <no value>'
    );
    assert.equal(
      interpolateRouteTemplate('{{ .JsonData.url }}/x', { JsonData: { url: 'http://h' }, SecureJsonData: {} }),
      'http://h/x'
    );
  });

  it('lists the settings keys the plugin’s routes read', () => {
    const keys = routeTemplateKeys(pluginJson.routes);
    assert.deepEqual([...keys.jsonData], ['url']);
    assert.deepEqual([...keys.secureJsonData], ['token']);
    assert.equal(keys.usesUrl, false);
  });

  it('reads jsonData.timeout as Grafana does, 30 s when unset (pkg/services/datasources/service/datasource.go getTimeout)', () => {
    assert.equal(upstreamTimeoutSeconds({}), 30);
    assert.equal(upstreamTimeoutSeconds({ timeout: 60 }), 60);
    assert.equal(upstreamTimeoutSeconds({ timeout: '45' }), 45);
    assert.equal(upstreamTimeoutSeconds({ timeout: 0 }), 30);
    assert.equal(upstreamTimeoutSeconds({ timeout: 'soon' }), 30);
  });
});

describe('data proxy stand-in: requests and answers', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  const ds: ProxiedDataSource = { uid: 'ds1', jsonData: {}, secureJsonData: { token } };
  let releaseStream: () => void = () => {};
  let eventsClosed: Promise<void> = Promise.resolve();

  before(async () => {
    upstream = await startUpstream((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path.endsWith('/unauthorized')) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'unauthorized', message: 'bad token' }));
      } else if (path.endsWith('/slow')) {
        setTimeout(() => res.end('late'), 3000).unref();
      } else if (path.endsWith('/events')) {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          'x-accel-buffering': 'no',
        });
        res.write(': open\n\n');
        const timer = setTimeout(() => res.write('event: frame\ndata: {}\n\n'), 1500);
        eventsClosed = new Promise((closed) => res.on('close', () => (clearTimeout(timer), closed())));
      } else if (path.endsWith('/stream')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first;');
        releaseStream = () => res.end('second');
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'upstream=1' });
        res.end(JSON.stringify({ ok: true }));
      }
    });
    ds.jsonData.url = upstream.url;
    proxy = await startProxy(
      [gatewayRoute('{{ .JsonData.url }}/base'), { path: 'plain', method: 'GET', url: 'http://127.0.0.1:9' }],
      ds
    );
  });
  after(async () => {
    await close(proxy.server);
    await close(upstream.server);
  });

  it('forwards the rest of the path with its trailing slash and the query string (pkg/services/datasourceproxy/datasourceproxy.go, util.JoinURLFragments via ds_auth_provider.go ApplyRoute)', async () => {
    const response = await fetch(`${proxy.base}/gateway/api/v1/catalog/?q=a%20b`);
    assert.equal(response.status, 200);
    assert.equal(upstream.seen.at(-1)!.url, '/base/api/v1/catalog/?q=a%20b');
  });

  it('drops the browser’s Authorization, Cookie, Origin and Referer and adds the route’s token (ds_proxy.go director, pkg/util/proxyutil/proxyutil.go)', async () => {
    await fetch(`${proxy.base}/gateway/api/v1/info`, {
      headers: {
        authorization: 'Bearer browser',
        cookie: 'grafana_session=abc',
        origin: 'http://evil',
        referer: 'http://grafana/d/1',
        'x-panel-id': '7',
      },
    });
    const headers = upstream.seen.at(-1)!.headers;
    assert.equal(headers.authorization, `Bearer ${token}`);
    assert.equal(headers.cookie, undefined);
    assert.equal(headers.origin, undefined);
    assert.equal(headers.referer, undefined);
    assert.equal(headers['x-grafana-referer'], 'http://grafana/d/1');
    assert.equal(headers['x-panel-id'], '7');
    assert.match(headers['user-agent'] ?? '', /^Grafana\//);
  });

  it('removes Set-Cookie from answers and marks them sandboxed (pkg/util/proxyutil/reverse_proxy.go modifyResponse)', async () => {
    const response = await fetch(`${proxy.base}/gateway/ok`);
    assert.equal(response.headers.get('set-cookie'), null);
    assert.equal(response.headers.get('content-security-policy'), 'sandbox');
  });

  it('turns an upstream 401 into a 400 "Authentication to data source failed", dropping its body (pkg/api/pluginproxy/ds_proxy.go)', async () => {
    const response = await fetch(`${proxy.base}/gateway/unauthorized`);
    assert.equal(response.status, 400);
    assert.equal(await response.text(), GRAFANA_AUTH_FAILED);
  });

  it('answers 502 with no body when the upstream cannot be reached (pkg/util/proxyutil/reverse_proxy.go errorHandler)', async () => {
    const response = await fetch(`${proxy.base}/plain/x`);
    assert.equal(response.status, 502);
    assert.equal(await response.text(), '');
  });

  it('sends a request no route takes to the data source URL without the token: 502 for this plugin’s empty URL (ds_proxy.go director)', async () => {
    const response = await fetch(`${proxy.base}/plain/x`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 502);
    assert.equal(await response.text(), '');
  });

  it('answers 504 with no body when the upstream is slower than jsonData.timeout (datasource.go getTimeout, reverse_proxy.go errorHandler)', async () => {
    ds.jsonData.timeout = 1;
    try {
      const started = Date.now();
      const response = await fetch(`${proxy.base}/gateway/slow`);
      assert.equal(response.status, 504);
      assert.equal(await response.text(), '');
      assert.ok(Date.now() - started < 2900, 'gave up at the timeout, not when the upstream answered');
    } finally {
      delete ds.jsonData.timeout;
    }
  });

  it('passes a text/event-stream answer at once and keeps it past jsonData.timeout, which bounds only the headers; the client going away closes it upstream (reverse_proxy.go flushInterval, http_client_provider.go ResponseHeaderTimeout)', async () => {
    ds.jsonData.timeout = 1;
    const abort = new AbortController();
    try {
      const response = await fetch(`${proxy.base}/gateway/events`, { signal: abort.signal });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/event-stream');
      assert.equal(response.headers.get('x-accel-buffering'), 'no');
      const reader = response.body!.getReader();
      assert.equal(new TextDecoder().decode((await reader.read()).value), ': open\n\n');
      // 1.5 s after the headers, beyond the 1 s timeout: the event still comes through.
      assert.equal(new TextDecoder().decode((await reader.read()).value), 'event: frame\ndata: {}\n\n');
      abort.abort();
      await eventsClosed;
    } finally {
      delete ds.jsonData.timeout;
    }
  });

  it('streams the answer instead of buffering it (pkg/util/proxyutil/reverse_proxy.go FlushInterval)', async () => {
    const response = await fetch(`${proxy.base}/gateway/stream`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    // The upstream has not finished: the first chunk arrived before the end of the body.
    assert.equal(new TextDecoder().decode(first.value), 'first;');
    releaseStream();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += new TextDecoder().decode(chunk.value);
    }
    assert.equal(rest, 'second');
  });
});

describe('data proxy stand-in: TLS and custom headers (pkg/services/datasources/service/datasource.go httpClientOptions, pkg/infra/httpclient/httpclientprovider)', () => {
  let dir: string;
  let server: Server;
  let upstreamUrl: string;
  let caPem: string;
  const seen: Seen[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsgw-proxy-tls-'));
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    run([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=tsgw test CA',
    ]);
    run([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=gateway.test',
    ]);
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:gateway.test,IP:127.0.0.1\n');
    run([
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    ]);
    caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  });
  before(async () => {
    server = createHttpsServer(
      { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) },
      (req, res) => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
        res.end('{"ok":true}');
      }
    );
    upstreamUrl = `https://${await listen(server)}`;
  });
  after(async () => {
    await close(server);
    rmSync(dir, { recursive: true, force: true });
  });

  const through = async (jsonData: Record<string, unknown>, secureJsonData: Record<string, string> = {}) => {
    const ds: ProxiedDataSource = {
      uid: 'tls',
      jsonData: { url: upstreamUrl, ...jsonData },
      secureJsonData: { token, ...secureJsonData },
    };
    const proxy = await startProxy([gatewayRoute('{{ .JsonData.url }}')], ds);
    try {
      return (await fetch(`${proxy.base}/gateway/api/v1/info`)).status;
    } finally {
      await close(proxy.server);
    }
  };

  it('refuses a certificate from a private CA unless that CA is configured (tlsAuthWithCACert + secureJsonData.tlsCACert) or verification is skipped (tlsSkipVerify)', async () => {
    assert.equal(await through({}), 502);
    assert.equal(await through({ tlsAuthWithCACert: true }, { tlsCACert: caPem }), 200);
    assert.equal(await through({ tlsSkipVerify: true }), 200);
  });

  it('adds httpHeaderName1…/secureJsonData.httpHeaderValue1… to route requests, stopping at the first missing name', async () => {
    assert.equal(
      await through(
        { tlsSkipVerify: true, httpHeaderName1: 'X-Tenant', httpHeaderName2: 'X-Team', httpHeaderName4: 'X-Skipped' },
        { httpHeaderValue1: 'acme', httpHeaderValue2: 'ops', httpHeaderValue4: 'no' }
      ),
      200
    );
    const headers = seen.at(-1)!.headers;
    assert.equal(headers['x-tenant'], 'acme');
    assert.equal(headers['x-team'], 'ops');
    assert.equal(headers['x-skipped'], undefined);
    assert.equal(headers.authorization, `Bearer ${token}`);
  });
});
