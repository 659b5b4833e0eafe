import type { BuilderTable } from '../../src/sql/builder-context';

/** The table the pure builder tests build against, as the catalog would describe it. */
export const readingsTable: BuilderTable = {
  name: 'readings',
  sql: '"public"."readings"',
  timeColumn: 'time',
  columns: [
    { name: 'time', type: 'timestamp with time zone', kind: 'time' },
    { name: 'sensor', type: 'text', kind: 'string' },
    { name: 'value', type: 'double precision', kind: 'number' },
    { name: 'counter', type: 'bigint', kind: 'number' },
  ],
};
