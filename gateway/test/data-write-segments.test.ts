import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import Fastify from 'fastify';
import { JsonArraySegments, type JsonRow, type RowBatch } from '../src/rest/json-array-segments';
import { NdjsonLines } from '../src/rest/ndjson-lines';
import { NotStreamable } from '../src/rest/not-streamable';
import { parseRowsBody } from '../src/rest/parse-body';
import { syncJsonParser } from '../src/rest/sync-json-parser';

/**
 * The streaming readers of POST bodies against the whole-body parsers: for any body and any
 * way its bytes are split, they give the same rows, or give up (NotStreamable) — never
 * other rows, and never rows from a body the whole-body parser refuses.
 */

const parseJson = syncJsonParser(Fastify());

type Reader = { push(chunk: Buffer): RowBatch; end(): JsonRow[] };

/** The body's bytes cut at `cuts` (byte offsets, any order), fed to a reader: its rows. */
function feed(reader: Reader, text: string, cuts: number[]): JsonRow[] {
  const bytes = Buffer.from(text, 'utf8');
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const rows: JsonRow[] = [];
  const take = (batch: RowBatch) => rows.push(...batch);
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p > from) {
      take(reader.push(bytes.subarray(from, p)));
    }
    from = Math.max(from, p);
  }
  take(reader.end());
  return rows;
}

/** Cuts are tried at every piece (a real body tries one every 32 KiB), so every path runs on small bodies too. */
const segmenter = () => new JsonArraySegments(parseJson, 1);
const streamJson = (text: string, cuts: number[]) => feed(segmenter(), text, cuts);

/** Strings that trouble a scanner: braces, brackets, commas, quotes, escapes, multi-byte characters. */
const nastyString = fc.oneof(
  fc.string(),
  fc.constantFrom('}', '},{', '"}', '\\', '\\"}', ']', '[{', 'é', '😀}', '\u2028', ',', '{"a":1}'),
  fc.string({ unit: 'grapheme' })
);
const jsonLeaf = fc.oneof(
  nastyString,
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null)
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    jsonLeaf,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(nastyString, tie('value'), { maxKeys: 3 })
  ),
})).value;
const row = fc.dictionary(
  nastyString.filter((k) => k !== '__proto__' && k !== 'constructor'),
  jsonValue,
  { maxKeys: 5 }
);
const cuts = fc.array(fc.nat(), { maxLength: 30 });
/** Whitespace between tokens: compact, pretty and odd layouts all count. */
const space = fc.constantFrom('', ' ', '\n', '\r\n\t ');

describe('JSON array read as it arrives', () => {
  it('gives exactly the rows of JSON.parse, however the bytes are split', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), space, cuts, (rows, ws, at) => {
        const text = `${ws}[${ws}${rows.map((r) => JSON.stringify(r, null, ws ? 1 : 0)).join(`${ws},${ws}`)}${ws}]${ws}`;
        assert.deepEqual(streamJson(text, at), JSON.parse(text));
      }),
      { numRuns: 300 }
    );
  });

  it('cuts large bodies into many segments with the same rows', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      i,
      s: `v"}],{${i}\\`,
      nested: { list: [{ a: i }, { b: '}' }] },
      e: 'é😀',
    }));
    const text = JSON.stringify(rows);
    const at = Array.from({ length: 200 }, (_, k) => Math.floor((k * text.length) / 200) + (k % 7));
    assert.deepEqual(streamJson(text, at), rows);
  });

  it('never gives rows for a body the whole-body parser refuses', () => {
    // Random damage to valid bodies: deleted, inserted or replaced bytes.
    const damaged = fc
      .tuple(
        fc.array(row, { minLength: 1, maxLength: 20 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom('', ',', ']', '}', '"', '[', '{', 'x', ' ', '\\')), {
          minLength: 1,
          maxLength: 3,
        })
      )
      .map(([rows, edits]) => {
        let text = JSON.stringify(rows);
        for (const [pos, insert] of edits) {
          const p = pos % (text.length + 1);
          text = text.slice(0, p) + insert + text.slice(p + (insert === '' || pos % 2 ? 1 : 0));
        }
        // As the bytes on the wire decode: a cut between two halves of a surrogate pair becomes U+FFFD.
        return Buffer.from(text, 'utf8').toString('utf8');
      });
    fc.assert(
      fc.property(damaged, cuts, (text, at) => {
        let expected: unknown;
        try {
          expected = parseJson(text);
        } catch {
          assert.throws(() => streamJson(text, at), NotStreamable);
          return;
        }
        try {
          assert.deepEqual(streamJson(text, at), expected);
        } catch (err) {
          if (!(err instanceof NotStreamable)) {
            throw err;
          } // valid, but not an array of objects: fine
          assert.ok(
            !Array.isArray(expected) || expected.some((v) => v === null || typeof v !== 'object' || Array.isArray(v)),
            `gave up on ${text}`
          );
        }
      }),
      { numRuns: 2000 }
    );
  });

  it('gives up on what is not a plain array of objects', () => {
    const cases = [
      '{"a":1}',
      '[1,2]',
      '[{"a":1},2]',
      '[{"a":1},]',
      '[{"a":1}{"b":2}]',
      '[{"a":1}] x',
      '',
      '   ',
      '\uFEFF[{"a":1}]',
      '[{"a":1},,{"b":2}]',
      '[{"__proto__":{"x":1}}]',
    ];
    for (const text of cases) {
      for (const at of [[], [1], [3, 5, 8]]) {
        assert.throws(() => streamJson(text, at), NotStreamable, JSON.stringify(text));
      }
    }
  });

  it('reads an empty array as no rows, and one split inside a multi-byte character', () => {
    assert.deepEqual(streamJson(' [ ] ', [2]), []);
    const text = JSON.stringify([{ k: '€😀' }, { k: 'ü' }]);
    for (let i = 0; i <= Buffer.byteLength(text); i++) {
      assert.deepEqual(streamJson(text, [i]), JSON.parse(text));
    }
  });
});

describe('NDJSON read as it arrives', () => {
  const streamNdjson = (text: string, at: number[]) => feed(new NdjsonLines(), text, at);

  it('gives the rows of the whole-body reader, however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 30 }),
        fc.constantFrom('\n', '\r\n', '\n\n'),
        cuts,
        (rows, eol, at) => {
          const text = rows.map((r) => JSON.stringify(r)).join(eol) + (at.length % 2 ? eol : '');
          assert.deepEqual(streamNdjson(text, at), parseRowsBody(text, 'application/x-ndjson').rows);
        }
      ),
      { numRuns: 300 }
    );
  });

  it('gives up where the whole-body reader reports an error', () => {
    for (const text of ['{"a":1}\nnope\n', '{"a":1}\n[1]', '{"a":1}\n"x"\n', '{"a":1}\n{"b":']) {
      assert.throws(() => parseRowsBody(text, 'application/x-ndjson'));
      assert.throws(() => streamNdjson(text, [4]), NotStreamable);
    }
  });
});
