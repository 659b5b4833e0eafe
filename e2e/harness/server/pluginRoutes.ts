/**
 * The part of Grafana's data proxy (pkg/api/pluginproxy) that matters to a frontend-only
 * plugin: pick the plugin.json route whose `path` prefixes the proxied path, resolve its
 * `{{ .JsonData.x }}` / `{{ .SecureJsonData.x }}` templates from the data source's
 * settings, and build the upstream URL and headers. The secret values live only on the
 * server side, exactly as in Grafana.
 */

export interface PluginRoute {
  path: string;
  method?: string;
  url?: string;
  headers?: Array<{ name: string; content: string }>;
  urlParams?: Array<{ name: string; content: string }>;
}

export interface RouteTemplateData {
  JsonData: Record<string, unknown>;
  SecureJsonData: Record<string, string>;
  /** The data source's own URL field (not a jsonData key). */
  URL?: string;
}

export interface ResolvedRequest {
  url: URL;
  headers: Record<string, string>;
}

const TEMPLATE = /\{\{\s*\.(JsonData|SecureJsonData|URL)(?:\.([A-Za-z0-9_]+))?\s*\}\}/g;

/** Go's text/template prints a missing map key as "<no value>"; keep that so a misconfigured route fails visibly. */
export const interpolateRouteTemplate = (template: string, data: RouteTemplateData): string =>
  template.replace(TEMPLATE, (_match, root: 'JsonData' | 'SecureJsonData' | 'URL', key?: string) => {
    if (root === 'URL') {
      return data.URL ?? '<no value>';
    }
    const value = key === undefined ? undefined : data[root][key];
    return value === undefined || value === null ? '<no value>' : String(value);
  });

/** Template keys a route reads, so a fresh harness can fill them with the gateway's URL and token. */
export const routeTemplateKeys = (
  routes: PluginRoute[]
): { jsonData: Set<string>; secureJsonData: Set<string>; usesUrl: boolean } => {
  const jsonData = new Set<string>();
  const secureJsonData = new Set<string>();
  let usesUrl = false;
  const texts = routes.flatMap((r) => [
    r.url ?? '',
    ...(r.headers ?? []).map((h) => h.content),
    ...(r.urlParams ?? []).map((p) => p.content),
  ]);
  for (const text of texts) {
    for (const m of text.matchAll(TEMPLATE)) {
      if (m[1] === 'URL') {
        usesUrl = true;
      } else if (m[2]) {
        (m[1] === 'JsonData' ? jsonData : secureJsonData).add(m[2]);
      }
    }
  }
  return { jsonData, secureJsonData, usesUrl };
};

const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, '');

/** First route whose method fits and whose path prefixes the proxied path, as Grafana's proxy picks it. */
export const matchRoute = (routes: PluginRoute[], proxyPath: string, method: string): PluginRoute | undefined => {
  const path = trimSlashes(proxyPath);
  return routes.find((route) => {
    if (route.method && route.method !== '*' && route.method.toUpperCase() !== method.toUpperCase()) {
      return false;
    }
    const prefix = trimSlashes(route.path);
    return path === prefix || path.startsWith(prefix + '/') || prefix === '';
  });
};

/** Upstream URL and headers for one proxied request; `search` is the original query string (with "?"). */
export const resolveRoute = (
  route: PluginRoute,
  proxyPath: string,
  search: string,
  data: RouteTemplateData
): ResolvedRequest => {
  const target = new URL(interpolateRouteTemplate(route.url ?? '', data));
  const rest = trimSlashes(trimSlashes(proxyPath).slice(trimSlashes(route.path).length));
  const basePath = target.pathname.replace(/\/+$/, '');
  const url = new URL(target.origin);
  url.pathname = rest ? `${basePath}/${rest}` : basePath || '/';
  url.search = search;
  for (const param of route.urlParams ?? []) {
    url.searchParams.set(param.name, interpolateRouteTemplate(param.content, data));
  }
  const headers: Record<string, string> = {};
  for (const header of route.headers ?? []) {
    headers[header.name] = interpolateRouteTemplate(header.content, data);
  }
  return { url, headers };
};
