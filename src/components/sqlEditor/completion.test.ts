import type { CatalogTable } from 'timescaledb-gateway/contract';
import { MACROS } from 'timescaledb-gateway/contract/macros';

import { buildSuggestions, macroSuggestion, referencedTables } from './completion';

const tables: CatalogTable[] = [
  { name: 'sensor_data', schema: 'public', kind: 'hypertable', timeColumn: 'timestamp' },
  { name: 'metrics.Cpu', schema: 'metrics', kind: 'view', timeColumn: null },
];

describe('referencedTables', () => {
  it('finds catalog tables after FROM and JOIN, quoted or not', () => {
    expect(referencedTables('SELECT * FROM sensor_data s JOIN "metrics"."Cpu" c ON true', tables)).toEqual([
      'sensor_data',
      'metrics.Cpu',
    ]);
    expect(referencedTables('SELECT * FROM unknown', tables)).toEqual([]);
  });
});

describe('buildSuggestions', () => {
  const sources = {
    tables,
    columns: { sensor_data: [{ name: 'temperature', type: 'real', kind: 'number' as const, nullable: true }] },
    variables: ['sensor'],
  };

  it('offers every macro of the contract with its docs, and variables, after a $', () => {
    const items = buildSuggestions(sources, 'WHERE $__ti');
    expect(items.filter((i) => i.kind === 'macro')).toHaveLength(MACROS.length);
    expect(items.find((i) => i.label === '$__timeFilter')?.documentation).toBe(
      MACROS.find((m) => m.name === '$__timeFilter')?.doc
    );
    expect(items.some((i) => i.label === '$sensor')).toBe(true);
    expect(items.some((i) => i.kind === 'table')).toBe(false);
  });

  it('offers tables (quoted when needed) and the columns of the tables in the statement', () => {
    const items = buildSuggestions(sources, 'SELECT ');
    expect(items.find((i) => i.label === 'metrics.Cpu')?.insertText).toBe('metrics."Cpu"');
    expect(items.find((i) => i.label === 'sensor_data')?.detail).toContain('hypertable');
    expect(items.find((i) => i.kind === 'column')).toMatchObject({
      label: 'temperature',
      detail: 'real · sensor_data',
    });
  });
});

describe('macroSuggestion', () => {
  it('inserts required arguments as snippet placeholders and bare macros as they are', () => {
    expect(
      macroSuggestion({ name: '$__timeGroup', args: 'column, interval[, fill]', call: true, doc: '' }).insertText
    ).toBe('$__timeGroup(${1:column}, ${2:interval})');
    expect(macroSuggestion({ name: '$__timeFrom', args: '', call: true, doc: '' }).insertText).toBe('$__timeFrom()');
    expect(macroSuggestion({ name: '$__interval', args: '', call: false, doc: '' }).insertText).toBe('$__interval');
  });
});
