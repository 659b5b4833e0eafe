import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { Aggregation, FillMode, FilterOp, Format } from '../src/contract/query';
import {
  AGGREGATIONS,
  DEFAULT_FORMAT,
  FILL_MODES,
  FILTER_OPERATORS,
  FORMATS,
  NUMERIC_AGGREGATIONS,
  needsNumbers,
} from '../src/contract/vocabulary';

/** The vocabulary is defined once, in contract/vocabulary.ts; the schemas are built from it. */
describe('contract vocabulary', () => {
  const cases = [
    ['Aggregation', Aggregation, AGGREGATIONS],
    ['FillMode', FillMode, FILL_MODES],
    ['FilterOp', FilterOp, FILTER_OPERATORS],
    ['Format', Format, FORMATS],
  ] as const;
  for (const [name, schema, words] of cases) {
    it(`${name} accepts exactly the words of its array`, () => {
      for (const word of words) {
        assert.ok(Value.Check(schema, word), word);
      }
      assert.equal(Value.Check(schema, 'nonsense'), false);
      assert.equal(Value.Check(schema, words.join(' ')), false);
    });
  }

  it('imports nothing, so the plugin bundles it without TypeBox', () => {
    const text = readFileSync(new URL('../src/contract/vocabulary.ts', import.meta.url), 'utf8');
    assert.doesNotMatch(text, /^\s*import\b/m);
  });

  it('defaults SQL mode to a table, as Grafana’s PostgreSQL data source does, and the builder to time series', () => {
    assert.deepEqual(DEFAULT_FORMAT, { builder: 'time_series', sql: 'table' });
  });

  it('marks which aggregations need numbers', () => {
    assert.ok(NUMERIC_AGGREGATIONS.every(needsNumbers));
    assert.equal(needsNumbers('count'), false);
    assert.equal(needsNumbers('last'), false);
  });
});
