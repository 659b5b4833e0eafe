/**
 * How Grafana's data proxy picks and applies a plugin.json route, for the data proxy
 * stand-in (dataProxy.ts). Each rule names the Grafana source it follows:
 *
 * - pkg/api/pluginproxy/ds_proxy.go (validateRequest): the FIRST route, in plugin.json
 *   order, whose `method` is empty, "*" or the request's method, and whose cleaned `path`
 *   is a plain string prefix of the cleaned proxied path (util.CleanRelativePath both
 *   sides, then strings.HasPrefix — so "gateway" also matches "gatewayx/…").
 * - pkg/api/pluginproxy/ds_auth_provider.go (ApplyRoute): the route's path is cut off the
 *   proxied path with strings.TrimPrefix, and the rest is joined to the route URL's path
 *   with util.JoinURLFragments, which keeps a trailing slash. The request's query string
 *   stays; route `urlParams` are added to it; route `headers` are set.
 * - pkg/api/pluginproxy/utils.go (interpolateString): templates are Go text/template over
 *   {JsonData, SecureJsonData, URL}; a missing map key prints "<no value>".
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

/** Go's util.CleanRelativePath: clean "/"+path (resolving "." and ".."), relative to "/" ("." for the root). */
export const cleanRelativePath = (path: string): string => {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') {
      parts.pop();
    } else if (part && part !== '.') {
      parts.push(part);
    }
  }
  return parts.length ? parts.join('/') : '.';
};

/** Go's util.JoinURLFragments: one slash between the parts, a trailing slash of `b` kept. */
export const joinUrlFragments = (a: string, b: string): string => {
  if (!b) {
    return a;
  }
  const aSlash = a.endsWith('/');
  const bSlash = b.startsWith('/');
  if (aSlash && bSlash) {
    return a + b.slice(1);
  }
  return !aSlash && !bSlash ? `${a}/${b}` : a + b;
};

/** The route Grafana's proxy uses for this request, or undefined (then it targets the data source URL, with no route headers). */
export const matchRoute = (routes: PluginRoute[], proxyPath: string, method: string): PluginRoute | undefined => {
  const path = cleanRelativePath(proxyPath);
  return routes.find((route) => {
    if (route.method && route.method !== '*' && route.method !== method) {
      return false;
    }
    return path.startsWith(cleanRelativePath(route.path));
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
  const rest = proxyPath.startsWith(route.path) ? proxyPath.slice(route.path.length) : proxyPath;
  const url = new URL(target.origin);
  url.pathname = joinUrlFragments(target.pathname, rest);
  url.search = search;
  for (const param of route.urlParams ?? []) {
    url.searchParams.append(param.name, interpolateRouteTemplate(param.content, data));
  }
  const headers: Record<string, string> = {};
  for (const header of route.headers ?? []) {
    headers[header.name] = interpolateRouteTemplate(header.content, data);
  }
  return { url, headers };
};
