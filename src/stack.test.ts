import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

import { isRunnable } from 'data/datasource';
import { migrateQuery } from 'data/migrations';
import pluginJson from 'plugin.json';

/**
 * docker-compose.yaml and provisioning/ cannot run here (no Docker engine), so this
 * checks that they fit together: service names and ports, the plugin id and mount, the
 * token's path from the environment to the gateway and to Grafana, and that the demo
 * dashboard uses the provisioned data source with queries the plugin can run.
 */
const root = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

const compose = parse(read('docker-compose.yaml'));
const services = compose.services;
const datasourceFile = parse(read('provisioning/datasources/datasources.yml'));
const datasource = datasourceFile.datasources[0];
const providers = parse(read('provisioning/dashboards/dashboards.yml')).providers;
const dashboard = JSON.parse(read('provisioning/dashboards/timescaledb-demo.json'));

const mounts = (service: { volumes?: string[] }) =>
  Object.fromEntries((service.volumes ?? []).map((v) => v.split(':')).map(([from, to]) => [from, to]));

describe('docker-compose.yaml', () => {
  it('runs TimescaleDB (official image, PostgreSQL 17), the gateway and Grafana 13.1', () => {
    expect(Object.keys(services).sort()).toEqual(['gateway', 'grafana', 'timescaledb']);
    expect(services.timescaledb.image).toBe('timescale/timescaledb:latest-pg17');
    expect(services.grafana.image).toMatch(/^grafana\/grafana:(\$\{GRAFANA_VERSION:-)?13\.1\.\d+/);
    expect(pluginJson.dependencies.grafanaDependency).toBe('>=13.1.1');
  });

  it('builds the gateway from gateway/Dockerfile with the repository root as context', () => {
    expect(services.gateway.build).toEqual({ context: '.', dockerfile: 'gateway/Dockerfile' });
  });

  it('points the gateway at the timescaledb service and seeds it', () => {
    const env = services.gateway.environment;
    const db = new URL(env.DATABASE_URL.replace(/\$\{[^}]+\}/g, 'x'));
    expect(db.hostname).toBe('timescaledb');
    expect(db.pathname).toBe(`/${services.timescaledb.environment.POSTGRES_DB}`);
    expect(env).toMatchObject({ HOST: '0.0.0.0', GATEWAY_SEED: 'true' });
  });

  it('gives the gateway and Grafana the same token from GATEWAY_TOKEN, with the scopes the dashboard needs', () => {
    // name:secret:scopes, the secret being a compose reference that may itself hold ":?".
    const match = /^(\w+):(\$\{GATEWAY_TOKEN(?::\?[^}]*)?\}):([\w,]+)$/.exec(services.gateway.environment.GATEWAY_TOKENS);
    expect(match).not.toBeNull();
    const [, name, , scopes] = match!;
    expect(name).toBe('grafana');
    expect(scopes.split(',')).toEqual(expect.arrayContaining(['read', 'sql']));
    expect(services.grafana.environment.GATEWAY_TOKEN).toMatch(/^\$\{GATEWAY_TOKEN(:\?[^}]*)?\}$/);
    expect(datasource.secureJsonData.token).toBe('$GATEWAY_TOKEN');
  });

  it('reaches the gateway where the data source looks for it', () => {
    const url = new URL(datasource.jsonData.url);
    expect(url.hostname).toBe('gateway');
    expect(url.port).toBe(services.gateway.environment.PORT);
    expect(services.gateway.ports).toContain(`${url.port}:${url.port}`);
  });

  it('loads the unsigned plugin from dist/ and mounts provisioning/', () => {
    const volumes = mounts(services.grafana);
    expect(volumes['./dist']).toBe(`/var/lib/grafana/plugins/${pluginJson.id}`);
    expect(services.grafana.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.split(',')).toContain(pluginJson.id);
    expect(volumes['./provisioning']).toBe('/etc/grafana/provisioning');
  });

  it('starts each service after its dependency is healthy', () => {
    for (const service of Object.values(services) as Array<{ healthcheck?: { test: unknown } }>) {
      expect(service.healthcheck?.test).toBeDefined();
    }
    expect(services.gateway.depends_on.timescaledb.condition).toBe('service_healthy');
    expect(services.grafana.depends_on.gateway.condition).toBe('service_healthy');
  });
});

describe('provisioning', () => {
  it('provisions a data source of this plugin', () => {
    expect(datasource.type).toBe(pluginJson.id);
    expect(datasource.access).toBe('proxy');
    expect(datasource.uid).toBeTruthy();
  });

  it('reads dashboards from the mounted provisioning folder', () => {
    const mounted = mounts(services.grafana)['./provisioning'];
    expect(providers[0].options.path).toBe(`${mounted}/dashboards`);
  });

  it('uses only the provisioned data source in the demo dashboard', () => {
    const refs: Array<{ type?: string; uid?: string }> = [];
    JSON.stringify(dashboard, (key, value) => {
      if (key === 'datasource' && value && typeof value === 'object') {
        refs.push(value);
      }
      return value;
    });
    const ours = refs.filter((r) => r.type !== 'grafana');
    expect(ours.length).toBeGreaterThan(4);
    for (const ref of ours) {
      expect(ref).toEqual({ type: pluginJson.id, uid: datasource.uid });
    }
  });

  it('has the demo panels: per-sensor builder query, a gap-filled panel, a sales table, a sensor variable and an annotation', () => {
    const targets = dashboard.panels.flatMap((p: { targets: unknown[] }) => p.targets);
    expect(targets.every((t: never) => isRunnable(migrateQuery(t)))).toBe(true);
    expect(targets).toContainEqual(expect.objectContaining({ mode: 'builder', table: 'sensor_data', groupBy: ['sensor_id'] }));
    expect(targets.some((t: { rawSql?: string; fill?: string }) => t.rawSql?.includes('$__timeBucketGapfill') || (t.fill && t.fill !== 'none'))).toBe(true);
    expect(dashboard.panels).toContainEqual(expect.objectContaining({ type: 'table', targets: [expect.objectContaining({ rawSql: expect.stringContaining('sales_data') })] }));
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'sensor', type: 'query', multi: true }));
    expect(dashboard.annotations.list).toContainEqual(expect.objectContaining({ enable: true, target: expect.objectContaining({ mode: 'sql' }) }));
  });
});
