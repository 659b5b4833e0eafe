import type { BuilderQuery } from '../../src/contract/query';
import type { BuilderContext, BuilderTable } from '../../src/sql/builder-context';

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

/** A builder context over `readingsTable` for one day of 2024, a 1-minute panel interval, UTC. */
export const readingsContext = (
  dialect: 'timescaledb' | 'postgres',
  over: Partial<BuilderContext> = {}
): BuilderContext => ({
  dialect,
  table: readingsTable,
  range: { from: Date.parse('2024-01-01T00:00:00Z'), to: Date.parse('2024-01-02T00:00:00Z') },
  intervalMs: 60_000,
  maxDataPoints: 1000,
  timeZone: 'UTC',
  ...over,
});

/** avg(value) over `readings`, changed by `over`. */
export const readingsQuery = (over: Partial<BuilderQuery>): BuilderQuery => ({
  refId: 'A',
  mode: 'builder',
  table: 'readings',
  metrics: [{ column: 'value', aggregation: 'avg' }],
  ...over,
});
