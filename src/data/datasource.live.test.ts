import { createServer } from 'node:net';
import type { ColumnsResponse, InfoResponse } from 'timescaledb-gateway/contract';

import { backendSrv } from '__testing__/grafanaRuntime';
import { createLiveDataSource, liveGateway } from '__testing__/liveDataSource';

import { GatewayError } from './gatewayClient';

jest.mock('@grafana/runtime', () => require('__testing__/grafanaRuntime').runtimeMock());

/** Straight to the gateway, bypassing the plugin: the reference the plugin's answers are checked against. */
const direct = async <T>(path: string): Promise<T> => {
  const { url, token } = liveGateway();
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.ok).toBe(true);
  return (await response.json()) as T;
};

const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('testDatasource ("Save & test") through the data proxy route', () => {
  it('reports the gateway, PostgreSQL and TimescaleDB versions and the token scopes', async () => {
    const info = await direct<InfoResponse>('/api/v1/info');
    const result = await createLiveDataSource().testDatasource();
    expect(result.status).toBe('success');
    expect(result.message).toContain(`Gateway ${info.gateway.version}`);
    expect(result.message).toContain(`PostgreSQL ${info.database.postgresVersion}`);
    expect(result.message).toContain(
      info.database.timescaledb ? `TimescaleDB ${info.database.timescaledb.version}` : 'TimescaleDB not installed'
    );
    expect(result.message).toContain(info.token.scopes.join(', '));
  });

  it('says a wrong token was rejected, though Grafana’s proxy turns the 401 into a 400 with its own text', async () => {
    const result = await createLiveDataSource({ token: 'not-a-token' }).testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toMatch(/^Token rejected/);
  });

  it('warns when the token may write: every panel viewer acts with it', async () => {
    const result = await createLiveDataSource({ token: liveGateway().writeToken }).testDatasource();
    expect(result.status).toBe('warning');
    expect(result.message).toMatch(/has the write scope/);
  });

  it('warns when the token cannot run SQL mode', async () => {
    const result = await createLiveDataSource({ token: liveGateway().readOnlyToken }).testDatasource();
    expect(result.status).toBe('success');
    expect(result.message).toContain('no sql scope');
  });

  it('says the gateway is unreachable when nothing listens at the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await createLiveDataSource({ url }).testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toContain(`Gateway unreachable at ${url}`);
  });

  it('asks for a URL before trying anything', async () => {
    const result = await createLiveDataSource({ url: '' }).testDatasource();
    expect(result).toMatchObject({ status: 'error', message: 'Set the gateway URL first.' });
  });

  it('sends no token from the browser: the plugin.json route adds it on the way', async () => {
    const fetchSpy = jest.spyOn(backendSrv, 'fetch');
    const result = await createLiveDataSource().testDatasource();
    expect(result.status).toBe('success');
    const requests = fetchSpy.mock.calls.map(([options]) => options);
    expect(requests[0].url).toMatch(/^\/api\/datasources\/proxy\/uid\/[^/]+\/gateway\/api\/v1\/info$/);
    expect(JSON.stringify(requests)).not.toContain(liveGateway().token);
    fetchSpy.mockRestore();
  });
});

describe('catalog through the data proxy', () => {
  it('fails with the gateway’s 401 for a wrong token', async () => {
    const error = await createLiveDataSource({ token: 'nope' })
      .catalog.tables()
      .catch((e) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('offers the first hypertable’s columns as ad hoc filter keys', async () => {
    const { tables } = await direct<{ tables: Array<{ name: string; kind: string }> }>('/api/v1/catalog');
    const hypertable = tables.find((t) => t.kind === 'hypertable')!;
    const { columns } = await direct<ColumnsResponse>(`/api/v1/catalog/${hypertable.name}/columns`);
    const keys = await createLiveDataSource().getTagKeys();
    expect(keys.map((k) => k.text)).toEqual(columns.filter((c) => c.kind !== 'json').map((c) => c.name));
  });

  it('uses the configured ad hoc table', async () => {
    const { columns } = await direct<ColumnsResponse>('/api/v1/catalog/sales_data/columns');
    const keys = await createLiveDataSource({ jsonData: { adHocTable: 'sales_data' } }).getTagKeys();
    expect(keys.map((k) => k.text).sort()).toEqual(columns.map((c) => c.name).sort());
  });
});

describe('settings Grafana reads from the data source', () => {
  it('offers the configured min interval to the query runner', () => {
    expect(createLiveDataSource({ jsonData: { timeInterval: '30s' } }).interval).toBe('30s');
    expect(createLiveDataSource().interval).toBeUndefined();
  });
});
