import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { interpolateRouteTemplate, matchRoute, resolveRoute, routeTemplateKeys, type PluginRoute } from '../harness/server/pluginRoutes';

// The harness's data proxy stands in for Grafana's: these pin the behaviour the plugin relies on.
const routes: PluginRoute[] = [
  { path: 'gateway', url: '{{ .JsonData.url }}', headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.token }}' }] },
];
const data = { JsonData: { url: 'http://127.0.0.1:8080/base/' }, SecureJsonData: { token: 's3cret' } };

describe('harness data proxy (plugin.json routes)', () => {
  it('forwards the rest of the path and the query string to the route URL', () => {
    const route = matchRoute(routes, 'gateway/api/v1/catalog/sensor_data/values/sensor_id', 'GET');
    assert.ok(route);
    const { url, headers } = resolveRoute(route, 'gateway/api/v1/catalog/sensor_data/values/sensor_id', '?q=sen&limit=5', data);
    assert.equal(url.toString(), 'http://127.0.0.1:8080/base/api/v1/catalog/sensor_data/values/sensor_id?q=sen&limit=5');
    assert.deepEqual(headers, { Authorization: 'Bearer s3cret' });
  });

  it('matches a route by whole path segments only', () => {
    assert.equal(matchRoute(routes, 'gatewayx/api', 'GET'), undefined);
    assert.equal(matchRoute(routes, 'other/api', 'POST'), undefined);
    assert.ok(matchRoute(routes, 'gateway', 'POST'));
  });

  it('honours a route limited to one method', () => {
    const postOnly: PluginRoute[] = [{ path: 'gateway', method: 'POST', url: 'http://x' }];
    assert.equal(matchRoute(postOnly, 'gateway/api', 'GET'), undefined);
    assert.ok(matchRoute(postOnly, 'gateway/api', 'POST'));
  });

  it('prints a missing key the way Go templates do, so a misconfigured route fails visibly', () => {
    assert.equal(interpolateRouteTemplate('Bearer {{ .SecureJsonData.token }}', { JsonData: {}, SecureJsonData: {} }), 'Bearer <no value>');
  });

  it('lists the settings keys the routes read', () => {
    const keys = routeTemplateKeys(routes);
    assert.deepEqual([...keys.jsonData], ['url']);
    assert.deepEqual([...keys.secureJsonData], ['token']);
    assert.equal(keys.usesUrl, false);
  });
});
