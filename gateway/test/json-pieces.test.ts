import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonPieces } from '../src/rest/json-pieces';

/** The streamed encoder of large query answers writes exactly what JSON.stringify writes. */
describe('JSON in pieces', () => {
  const joined = (value: unknown) => [...jsonPieces(value)].join('');

  it('gives JSON.stringify’s text for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => assert.equal(joined(value), JSON.stringify(value))),
      { numRuns: 500 }
    );
  });

  it('gives the same text for large frames with dates, nulls and undefined, in pieces of bounded size', () => {
    const n = 25_000;
    const frame = {
      schema: {
        refId: 'A',
        fields: [
          { name: 't', type: 'time' },
          { name: 'v', type: 'number', config: undefined },
        ],
      },
      data: {
        values: [
          Array.from({ length: n }, (_, i) => i * 1000),
          Array.from({ length: n }, (_, i) => (i % 7 ? i / 3 : i % 2 ? null : undefined)),
          [new Date(0), 'x"y\n'],
        ],
      },
    };
    const response = { results: { A: { frames: [frame, frame], executedQueryString: 'SELECT 1' } } };
    const pieces = [...jsonPieces(response)];
    assert.ok(pieces.length > 5, `${pieces.length} pieces`);
    assert.ok(pieces.every((p) => p.length < 256 * 1024));
    assert.equal(pieces.join(''), JSON.stringify(response));
  });
});
