import { VariableQueryMode } from 'types/variables';

import { migrateQuery, migrateVariableQuery } from './migrations';

describe('migrateQuery', () => {
  it('turns a PostgreSQL-style query (rawSql, no mode) into a SQL query', () => {
    expect(migrateQuery({ refId: 'A', rawSql: 'SELECT 1', format: 'time_series' } as never)).toMatchObject({
      mode: 'sql',
      rawSql: 'SELECT 1',
      format: 'time_series',
    });
  });

  it('gives an empty query the builder with its lists', () => {
    expect(migrateQuery({ refId: 'A' })).toMatchObject({
      mode: 'builder',
      metrics: [expect.any(Object)],
      filters: [],
      format: 'time_series',
    });
  });

  it('keeps what a builder query already has', () => {
    const query = { refId: 'A', mode: 'builder', table: 't', metrics: [], groupBy: ['g'] } as never;
    expect(migrateQuery(query)).toMatchObject({ table: 't', metrics: [], groupBy: ['g'] });
  });
});

describe('migrateVariableQuery', () => {
  it('reads a provisioned SQL string', () => {
    expect(migrateVariableQuery('SELECT 1')).toEqual({
      refId: 'variable',
      mode: VariableQueryMode.SQL,
      rawSql: 'SELECT 1',
    });
  });

  it('keeps values-of-column queries', () => {
    expect(
      migrateVariableQuery({ refId: 'v', mode: VariableQueryMode.Values, table: 't', column: 'c', limit: 5 })
    ).toMatchObject({
      mode: VariableQueryMode.Values,
      table: 't',
      column: 'c',
      limit: 5,
    });
  });

  it('treats an empty query as empty SQL', () => {
    expect(migrateVariableQuery(undefined)).toMatchObject({ mode: VariableQueryMode.SQL, rawSql: '' });
  });
});
