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
    expect(Object.keys(services).sort()).toEqual(['gateway', 'grafana', 'timescaledb', 'token']);
    expect(services.timescaledb.image).toBe('timescale/timescaledb:latest-pg17');
    expect(services.grafana.build.args.GRAFANA_VERSION).toMatch(/^\$\{GRAFANA_VERSION:-13\.1\.\d+\}$/);
    expect(read('Dockerfile')).toMatch(/^FROM grafana\/grafana:\$\{GRAFANA_VERSION\}$/m);
    expect(pluginJson.dependencies.grafanaDependency).toBe('>=13.1.1');
  });

  it('builds the gateway from gateway/Dockerfile and Grafana with the plugin from ./Dockerfile, both from the repository root', () => {
    expect(services.gateway.build).toEqual({ context: '.', dockerfile: 'gateway/Dockerfile' });
    expect(services.grafana.build).toMatchObject({ context: '.', dockerfile: 'Dockerfile' });
  });

  it('builds the plugin inside the image, so `docker compose up` needs no local build', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).toContain(`COPY --from=plugin /src/dist /var/lib/grafana/plugins/${pluginJson.id}`);
    expect(dockerfile).toContain(`GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=${pluginJson.id}`);
    expect(read('.dockerignore')).toMatch(/^\*\*\/node_modules$/m);
  });

  it('points the gateway at the timescaledb service and seeds it', () => {
    const env = services.gateway.environment;
    const db = new URL(env.DATABASE_URL.replace(/\$\{[^}]+\}/g, 'x'));
    expect(db.hostname).toBe('timescaledb');
    expect(db.pathname).toBe(`/${services.timescaledb.environment.POSTGRES_DB}`);
    expect(env).toMatchObject({ HOST: '0.0.0.0', GATEWAY_SEED: 'true' });
  });

  it('gives the gateway and Grafana the same token, from GATEWAY_TOKEN or made at random once, with the scopes the dashboard needs', () => {
    const tokenFile = '/secret/gateway-token';
    const secretVolume = (service: { volumes?: string[] }) =>
      (service.volumes ?? []).find((v) => v.startsWith('gateway-secret:'));
    expect(secretVolume(services.token)).toBe('gateway-secret:/secret');
    expect(services.token.environment.GATEWAY_TOKEN).toBe('${GATEWAY_TOKEN:-}');
    const script = services.token.command.join(' ');
    expect(script).toContain(tokenFile);
    expect(script).toContain('randomBytes');

    const gatewayStart = services.gateway.entrypoint.join(' ');
    const match = /GATEWAY_TOKENS="(\w+):\$\$\(cat ([^)]+)\):([\w,]+)"/.exec(gatewayStart);
    expect(match).not.toBeNull();
    const [, name, file, scopes] = match!;
    expect(name).toBe('grafana');
    expect(file).toBe(tokenFile);
    expect(scopes.split(',')).toEqual(expect.arrayContaining(['read', 'sql']));
    expect(services.gateway.depends_on.token.condition).toBe('service_completed_successfully');

    expect(services.grafana.entrypoint.join(' ')).toContain(`GATEWAY_TOKEN="$$(cat ${tokenFile})"`);
    expect(secretVolume(services.gateway)).toBe('gateway-secret:/secret:ro');
    expect(secretVolume(services.grafana)).toBe('gateway-secret:/secret:ro');
    expect(datasource.secureJsonData.token).toBe('$GATEWAY_TOKEN');
  });

  it('reaches the gateway where the data source looks for it', () => {
    const url = new URL(datasource.jsonData.url);
    expect(url.hostname).toBe('gateway');
    expect(url.port).toBe(services.gateway.environment.PORT);
    expect(services.gateway.ports).toContain(`${url.port}:${url.port}`);
  });

  it('mounts provisioning/ so dashboards can be edited without a rebuild', () => {
    expect(mounts(services.grafana)['./provisioning']).toBe('/etc/grafana/provisioning');
  });

  it('starts each service after its dependency is healthy', () => {
    for (const [name, service] of Object.entries(services) as Array<[string, { healthcheck?: { test: unknown } }]>) {
      if (name !== 'token') {
        expect(service.healthcheck?.test).toBeDefined();
      }
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

  it('opens Grafana on the demo dashboard, a file of the mounted folder', () => {
    const home = services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(home).toBe(`${providers[0].options.path}/timescaledb-demo.json`);
  });

  it('provisions a query timeout longer than the gateway’s 30 s statement timeout, for Grafana’s data proxy', () => {
    expect(datasource.jsonData.timeout).toBeGreaterThan(30);
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
    expect(targets).toContainEqual(
      expect.objectContaining({ mode: 'builder', table: 'sensor_data', groupBy: ['sensor_id'] })
    );
    expect(
      targets.some(
        (t: { rawSql?: string; fill?: string }) =>
          t.rawSql?.includes('$__timeBucketGapfill') || (t.fill && t.fill !== 'none')
      )
    ).toBe(true);
    expect(dashboard.panels).toContainEqual(
      expect.objectContaining({
        type: 'table',
        targets: [expect.objectContaining({ rawSql: expect.stringContaining('sales_data') })],
      })
    );
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'sensor', type: 'query', multi: true })
    );
    expect(dashboard.annotations.list).toContainEqual(
      expect.objectContaining({ enable: true, target: expect.objectContaining({ mode: 'sql' }) })
    );
  });
});
