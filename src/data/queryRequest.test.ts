import { dateTime } from '@grafana/data';

import { type TsQuery } from 'types/query';

import { buildQueryRequest, resolveTimezone, toWireAdHocFilters } from './queryRequest';

const range = {
  from: dateTime('2026-11-25T00:00:00Z'),
  to: dateTime('2026-11-26T00:00:00Z'),
  raw: { from: 'now-1d', to: 'now' },
};

describe('buildQueryRequest', () => {
  const builder: TsQuery = {
    refId: 'A',
    datasource: { type: 'x', uid: 'y' },
    mode: 'builder',
    format: 'time_series',
    table: 'sensor_data',
    timeColumn: 'timestamp',
    metrics: [
      { column: 'temperature', aggregation: 'avg' },
      { column: '', aggregation: 'max' },
    ],
    groupBy: ['sensor_id'],
    filters: [],
    bucket: 'auto',
  };
  const sql: TsQuery = { refId: 'B', mode: 'sql', rawSql: 'SELECT 1', builder: { table: 't', metrics: [] } };

  it('is shaped like /api/ds/query with ISO times', () => {
    const body = buildQueryRequest({ range, intervalMs: 60000, maxDataPoints: 1200.7, timezone: 'utc' }, [builder]);
    expect(body.range).toEqual({ from: '2026-11-25T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z' });
    expect(body).toMatchObject({ intervalMs: 60000, maxDataPoints: 1200, timezone: 'UTC' });
  });

  it('sends only contract fields: no datasource ref, no unfinished metrics, no stored builder state', () => {
    const body = buildQueryRequest({ range, intervalMs: 1000, maxDataPoints: 100, timezone: 'Europe/Berlin' }, [
      builder,
      sql,
    ]);
    expect(body.queries[0]).toEqual({
      refId: 'A',
      mode: 'builder',
      format: 'time_series',
      table: 'sensor_data',
      timeColumn: 'timestamp',
      metrics: [{ column: 'temperature', aggregation: 'avg' }],
      groupBy: ['sensor_id'],
      bucket: 'auto',
    });
    expect(body.queries[1]).toEqual({ refId: 'B', mode: 'sql', format: 'table', rawSql: 'SELECT 1' });
    expect(body.timezone).toBe('Europe/Berlin');
  });

  it('passes the continuous-aggregate opt-out and the cost-guard opt-in, and nothing when they are defaults', () => {
    const body = buildQueryRequest({ range, intervalMs: 1000, maxDataPoints: 100, timezone: 'UTC' }, [
      { ...builder, continuousAggregates: false, allowExpensive: true },
      { ...sql, allowExpensive: true },
      { ...builder, refId: 'C', continuousAggregates: true },
    ]);
    expect(body.queries[0]).toMatchObject({ continuousAggregates: false, allowExpensive: true });
    expect(body.queries[1]).toMatchObject({ mode: 'sql', allowExpensive: true });
    expect(body.queries[2]).not.toHaveProperty('continuousAggregates');
    expect(body.queries[2]).not.toHaveProperty('allowExpensive');
  });

  it('attaches ad hoc filters to every query', () => {
    const adhoc = toWireAdHocFilters([{ key: 'sensor_id', operator: '=', value: 's1' }]);
    const body = buildQueryRequest(
      { range, intervalMs: 1000, maxDataPoints: 100, timezone: 'utc' },
      [builder, sql],
      adhoc
    );
    expect(body.queries.map((q) => q.adhocFilters)).toEqual([adhoc, adhoc]);
  });
});

describe('toWireAdHocFilters', () => {
  it('keeps the operators the gateway binds and drops the rest', () => {
    expect(
      toWireAdHocFilters([
        { key: 'a', operator: '=~', value: 'x.*' },
        { key: 'b', operator: '=|', value: 'y', values: ['y', 'z'] },
        { key: '', operator: '=', value: 'z' },
      ])
    ).toEqual([{ key: 'a', operator: '=~', value: 'x.*' }]);
  });
});

describe('resolveTimezone', () => {
  it('maps Grafana names to IANA zones', () => {
    expect(resolveTimezone('utc')).toBe('UTC');
    expect(resolveTimezone('America/New_York')).toBe('America/New_York');
    expect(resolveTimezone('browser')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});
