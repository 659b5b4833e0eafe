import type { CatalogTable } from 'timescaledb-gateway/contract';

import { tableDescription, tableOptions } from './options';

const foreign: CatalogTable = {
  name: 'external_data_view',
  schema: 'public',
  kind: 'foreign_table',
  timeColumn: 'timestamp',
  foreignTable: {
    server: 'external_server',
    wrapper: 'postgres_fdw',
    remoteSchema: 'public',
    remoteName: 'measurements',
  },
};

describe('table picker descriptions', () => {
  it('marks a foreign table with its server and remote name', () => {
    expect(tableDescription(foreign)).toBe(
      'foreign table · on external_server as public.measurements · time: timestamp'
    );
  });

  it('names only the server when the wrapper has no remote name', () => {
    const file = {
      ...foreign,
      foreignTable: { server: 'csv_files', wrapper: 'file_fdw', remoteSchema: null, remoteName: null },
    };
    expect(tableDescription(file)).toBe('foreign table · on csv_files · time: timestamp');
  });

  it('marks a view that reads foreign tables', () => {
    const view: CatalogTable = {
      name: 'all_readings',
      schema: 'public',
      kind: 'view',
      timeColumn: 'timestamp',
      foreignSources: ['external_data_view'],
    };
    expect(tableOptions([view])[0]).toEqual({
      label: 'all_readings',
      value: 'all_readings',
      description: 'view · reads foreign external_data_view · time: timestamp',
    });
  });

  it('leaves a local table unmarked', () => {
    expect(tableDescription({ name: 'sensor_data', schema: 'public', kind: 'table', timeColumn: 'timestamp' })).toBe(
      'table · time: timestamp'
    );
  });
});
