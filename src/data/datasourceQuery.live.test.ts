import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { DataQueryErrorType, FieldType, LoadingState, type DataFrame } from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { setTemplateVariables } from '__testing__/grafanaRuntime';
import { createLiveDataSource, liveGateway } from '__testing__/liveDataSource';
import { makeRequest } from '__testing__/request';
import type { Format, TsBuilderQuery, TsQuery } from 'types/query';
import { VariableQueryMode } from 'types/variables';

import type { DataSource } from './datasource';

jest.mock('@grafana/runtime', () => require('__testing__/grafanaRuntime').runtimeMock());

const sql = (refId: string, rawSql: string, format: Format = 'table'): TsQuery => ({
  refId,
  mode: 'sql',
  format,
  rawSql,
});

const perSensor = (patch: Partial<TsQuery> = {}): TsQuery =>
  ({
    refId: 'A',
    mode: 'builder',
    format: 'time_series',
    table: 'sensor_data',
    metrics: [{ column: 'temperature', aggregation: 'avg' }],
    groupBy: ['sensor_id'],
    bucket: 'auto',
    fill: 'none',
    ...patch,
  }) as TsQuery;

/** Value fields across frames, wide or long: one per series. */
const seriesOf = (frames: DataFrame[]) =>
  frames.flatMap((f) => f.fields.filter((field) => field.type === FieldType.number));

const run = async (ds: DataSource, targets: TsQuery[], options?: Parameters<typeof makeRequest>[1]) =>
  lastValueFrom(ds.query(makeRequest(targets, options)));

/** The reference answer, asked in SQL mode: the sensors that exist. */
const distinctSensors = async (ds: DataSource): Promise<string[]> => {
  const frames = await ds.runSql('SELECT DISTINCT sensor_id FROM sensor_data ORDER BY 1', 'ref');
  return frames[0].fields[0].values.map(String);
};

describe('query() against the live gateway', () => {
  const ds = createLiveDataSource();

  afterEach(() => setTemplateVariables([]));

  it('draws one series per sensor for a builder query grouped by sensor_id', async () => {
    const sensors = await distinctSensors(ds);
    expect(sensors.length).toBeGreaterThan(1);
    const response = await run(ds, [perSensor()], { maxDataPoints: 50 });
    expect(response.errors).toBeUndefined();
    const series = seriesOf(response.data as DataFrame[]);
    expect(series.map((s) => s.labels?.sensor_id).sort()).toEqual(sensors);
    for (const s of series) {
      expect(s.values.length).toBeLessThanOrEqual(50);
    }
  });

  it('shows the executed SQL in the frames’ meta for the query inspector', async () => {
    const response = await run(ds, [perSensor()]);
    const frame = (response.data as DataFrame[])[0];
    expect(frame.refId).toBe('A');
    expect(frame.meta?.executedQueryString).toMatch(/sensor_data/);
  });

  it('keeps one query’s error on its own refId while the other query returns data', async () => {
    const response = await run(ds, [
      sql('A', 'SELECT count(*) AS n FROM sensor_data WHERE $__timeFilter(timestamp)'),
      sql('B', 'SELECT $__notAMacro(timestamp) FROM sensor_data'),
    ]);
    expect(response.state).toBe(LoadingState.Error);
    expect(response.errors?.map((e) => e.refId)).toEqual(['B']);
    expect(response.errors?.[0].message).toContain('$__notAMacro');
    const a = (response.data as DataFrame[]).filter((f) => f.refId === 'A');
    expect(Number(a[0].fields[0].values[0])).toBeGreaterThan(0);
  });

  it('interpolates a multi-value variable with PostgreSQL quoting', async () => {
    const [first, second] = await distinctSensors(ds);
    setTemplateVariables([{ name: 'sensor', value: [first, second], multi: true }]);
    const frames = await ds.runSql(
      'SELECT DISTINCT sensor_id FROM sensor_data WHERE sensor_id IN ($sensor) ORDER BY 1',
      'V'
    );
    expect(frames[0].fields[0].values).toEqual([first, second]);
  });

  it('cannot be broken out of by a quote in a variable value', async () => {
    setTemplateVariables([{ name: 'sensor', value: ["x') OR true --", 'y'], multi: true }]);
    const frames = await ds.runSql('SELECT count(*) AS n FROM sensor_data WHERE sensor_id IN ($sensor)', 'V');
    expect(Number(frames[0].fields[0].values[0])).toBe(0);
  });

  it('refuses SQL mode for a token without the sql scope but still runs its builder query', async () => {
    const readOnly = createLiveDataSource({ token: liveGateway().readOnlyToken });
    const response = await run(readOnly, [perSensor({ refId: 'A' }), sql('B', 'SELECT 1 AS one')]);
    expect(response.errors?.map((e) => e.refId)).toEqual(['B']);
    expect(response.errors?.[0].status).toBe(403);
    expect(seriesOf((response.data as DataFrame[]).filter((f) => f.refId === 'A')).length).toBeGreaterThan(0);
  });

  it('fails every query with the 401 when the token is wrong', async () => {
    const response = await run(createLiveDataSource({ token: 'wrong' }), [perSensor(), sql('B', 'SELECT 1')]);
    expect(response.errors?.map((e) => [e.refId, e.status])).toEqual([
      ['A', 401],
      ['B', 401],
    ]);
  });

  it('applies ad hoc filters as bound filters on the gateway', async () => {
    const [first] = await distinctSensors(ds);
    const response = await run(ds, [perSensor()], { filters: [{ key: 'sensor_id', operator: '=', value: first }] });
    expect(response.errors).toBeUndefined();
    expect(seriesOf(response.data as DataFrame[]).map((s) => s.labels?.sensor_id)).toEqual([first]);
  });

  it('applies a dashboard filter to the panel whose table has the key, not to a panel on another table', async () => {
    const [first] = await distinctSensors(ds);
    const sales: TsQuery = {
      refId: 'B',
      mode: 'builder',
      format: 'table',
      table: 'sales_data',
      metrics: [{ column: 'quantity', aggregation: 'count' }],
    } as TsQuery;
    const filters = [{ key: 'sensor_id', operator: '=', value: first }];
    const response = await run(ds, [perSensor(), sales], { filters, hours: 24 * 7 });
    expect(response.errors).toBeUndefined();
    const frames = response.data as DataFrame[];
    expect(seriesOf(frames.filter((f) => f.refId === 'A')).map((s) => s.labels?.sensor_id)).toEqual([first]);
    expect(frames.find((f) => f.refId === 'B')!.fields[0].values[0]).toBeGreaterThan(0);
  });

  it('filters SQL only where it says $__adHocFilters', async () => {
    const [first] = await distinctSensors(ds);
    const filters = [{ key: 'sensor_id', operator: '=', value: first }];
    const count = 'SELECT count(DISTINCT sensor_id)::int AS n FROM sensor_data';
    const response = await run(ds, [sql('A', `${count} WHERE $__adHocFilters`), sql('B', count)], { filters });
    expect(response.errors).toBeUndefined();
    const [a, b] = response.data as DataFrame[];
    expect(a.fields[0].values).toEqual([1]);
    expect(b.fields[0].values[0]).toBeGreaterThan(1);
  });

  it('reports a request slower than the query timeout as a Timeout error (Grafana’s proxy answers 504 with no body)', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
    try {
      const slow = createLiveDataSource({
        url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        jsonData: { timeout: 1 },
      });
      const response = await run(slow, [sql('A', 'SELECT 1')]);
      expect(response.errors?.[0]).toMatchObject({ refId: 'A', status: 504, type: DataQueryErrorType.Timeout });
      expect(response.errors?.[0].message).toContain('longer than 1 s');
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('fills the empty buckets after the last row with the previous value when asked', async () => {
    // The demo data ends now; a range reaching 30 minutes into the future has a gap at its end.
    const lastTime = (frames: DataFrame[]) =>
      Math.max(...frames.flatMap((f) => f.fields.filter((x) => x.type === FieldType.time).flatMap((x) => x.values)));
    const options = { futureMinutes: 30 };
    const plain = await run(ds, [perSensor({ bucket: '1m' })], options);
    const filled = await run(ds, [perSensor({ fill: 'previous', bucket: '1m' })], options);
    expect(filled.errors).toBeUndefined();
    expect(lastTime(plain.data as DataFrame[])).toBeLessThan(Date.now() + 60_000);
    expect(lastTime(filled.data as DataFrame[])).toBeGreaterThan(Date.now() + 25 * 60_000);
    for (const s of seriesOf(filled.data as DataFrame[])) {
      expect(s.values.slice(1).every((v) => v !== null && v !== undefined)).toBe(true);
    }
  });

  it('gets the same series from the gateway’s rendering of a builder query run in SQL mode', async () => {
    const builder = perSensor({ bucket: '5m', fill: 'linear' }) as TsBuilderQuery;
    const request = makeRequest([builder]);
    const rendered = await lastValueFrom(ds.renderBuilder(builder, request));
    expect(rendered.sqlModeText).toContain('$__timeFilter("timestamp")');
    // Rendered and run against the same request: the same range and interval.
    const response = await lastValueFrom(
      ds.query({ ...request, targets: [builder, sql('B', rendered.sqlModeText, 'time_series')] })
    );
    expect(response.errors).toBeUndefined();
    const byLabel = (refId: string): Record<string, number[]> =>
      Object.fromEntries(
        seriesOf((response.data as DataFrame[]).filter((f) => f.refId === refId)).map((s) => [
          s.labels?.sensor_id,
          s.values.map((v) => Number(v)),
        ])
      );
    const [a, b] = [byLabel('A'), byLabel('B')];
    expect(Object.keys(a).length).toBeGreaterThan(1);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    // One builder wrote both: the same values, to the last digit.
    expect(b).toEqual(a);
  });
});

describe('variables against the live gateway', () => {
  const ds = createLiveDataSource();

  it('pairs __text and __value from SQL', async () => {
    const sensors = await distinctSensors(ds);
    const values = await ds.metricFindQuery({
      refId: 'v',
      mode: VariableQueryMode.SQL,
      rawSql: "SELECT DISTINCT sensor_id AS __value, 'Sensor ' || sensor_id AS __text FROM sensor_data ORDER BY 1",
    });
    expect(values).toEqual(sensors.map((s) => ({ text: `Sensor ${s}`, value: s })));
  });

  it('lists the values of a column from the values endpoint', async () => {
    const sensors = await distinctSensors(ds);
    const values = await ds.metricFindQuery({
      refId: 'v',
      mode: VariableQueryMode.Values,
      table: 'sensor_data',
      column: 'sensor_id',
    });
    expect(values.map((v) => v.text).sort()).toEqual(sensors);
  });

  it('runs a provisioned plain-string query', async () => {
    const values = await ds.metricFindQuery('SELECT 1 AS a UNION ALL SELECT 2');
    expect(values.map((v) => v.text)).toEqual(['1', '2']);
  });

  it('answers Grafana’s variable runner with text/value frames', async () => {
    const sensors = await distinctSensors(ds);
    const support = ds.variables as unknown as { query: DataSource['query'] };
    const response = await lastValueFrom(
      support.query(
        makeRequest([
          { refId: 'v', mode: VariableQueryMode.Values, table: 'sensor_data', column: 'sensor_id' },
        ] as never)
      )
    );
    const frame = response.data[0] as DataFrame;
    expect(frame.fields.map((f) => f.name)).toEqual(['text', 'value']);
    expect([...frame.fields[1].values].sort()).toEqual(sensors);
  });
});

describe('ad hoc filter values and annotations against the live gateway', () => {
  const ds = createLiveDataSource();

  it('suggests the values of the key’s column', async () => {
    const sensors = await distinctSensors(ds);
    const values = await ds.getTagValues({ key: 'sensor_id', filters: [] } as never);
    expect(values.map((v) => v.text).sort()).toEqual(sensors);
  });

  it('returns annotation rows as a table whose fields Grafana’s standard annotation mapping finds by name', async () => {
    const annotations = ds.annotations!;
    const annotation = annotations.prepareAnnotation!({
      name: 'hot',
      enable: true,
      iconColor: 'red',
      rawQuery:
        "SELECT timestamp AS time, timestamp + interval '30 seconds' AS \"timeEnd\", 'hot ' || sensor_id AS text, 'heat,' || sensor_id AS tags FROM sensor_data WHERE $__timeFilter(timestamp) ORDER BY timestamp DESC LIMIT 3",
    } as never);
    const target = annotations.prepareQuery!(annotation)!;
    const response = await lastValueFrom(ds.query(makeRequest([target])));
    expect(response.errors).toBeUndefined();
    const [frame] = response.data as DataFrame[];
    expect(frame.length).toBe(3);
    expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
      ['time', FieldType.time],
      ['timeEnd', FieldType.time],
      ['text', FieldType.string],
      ['tags', FieldType.string],
    ]);
    const [time, timeEnd, text] = frame.fields;
    expect(timeEnd.values[0] - time.values[0]).toBe(30_000);
    expect(text.values[0]).toMatch(/^hot /);
  });
});
