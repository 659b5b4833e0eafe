import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import Fastify from 'fastify';
import { JsonArraySegments, type JsonRow, type RowBatch } from '../src/rest/json-array-segments';
import type { ResolvedColumn } from '../src/catalog/catalog';
import { csvRowEncoder, NeedsCarefulPath } from '../src/rest/copy-row-encoder';
import { csvPlanFor } from '../src/rest/json-rows-to-csv';
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

/** The body's bytes cut at `cuts` (byte offsets, any order), fed to a reader: parsed rows, and CSV batches as they came. */
function feed(reader: Reader, text: string, cuts: number[]): Array<JsonRow | Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const rows: Array<JsonRow | Buffer> = [];
  const take = (batch: RowBatch) => (Array.isArray(batch) ? rows.push(...batch) : rows.push(batch));
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

describe('plain JSON rows turned into COPY CSV from their bytes', () => {
  const column = (name: string, type: string, kind: ResolvedColumn['kind']): ResolvedColumn => ({
    name,
    type,
    kind,
    nullable: true,
    ident: `"${name}"`,
  });
  const columns = [
    column('t', 'timestamp with time zone', 'time'),
    column('s', 'text', 'string'),
    column('i', 'integer', 'number'),
    column('f', 'double precision', 'number'),
    column('n', 'numeric', 'number'),
    column('b', 'boolean', 'boolean'),
  ];
  const keys = columns.map((c) => c.name);
  const plan = csvPlanFor(keys, columns)!;
  const encodeRow = csvRowEncoder(keys, columns, false);
  const FAIL = 'needs the careful path';

  /** What the general way makes of each row: its CSV line, or FAIL. */
  const viaObjects = (rows: JsonRow[]) =>
    rows.map((r) => {
      try {
        return encodeRow(r);
      } catch (err) {
        if (err instanceof NeedsCarefulPath) {
          return FAIL;
        }
        throw err;
      }
    });

  /** The same through the byte path with the plan set: CSV lines where it took the rows, the general way elsewhere. */
  function viaBytes(text: string, at: number[]): { lines: string[]; fromBytes: number } {
    const segments = segmenter();
    segments.setCsvPlan(plan);
    const lines: string[] = [];
    let fromBytes = 0;
    for (const item of feed(segments, text, at)) {
      if (Buffer.isBuffer(item)) {
        const csv = item.toString('utf8').split('\n').slice(0, -1);
        fromBytes += csv.length;
        lines.push(...csv.map((l) => l + '\n'));
      } else {
        lines.push(...viaObjects([item]));
      }
    }
    return { lines, fromBytes };
  }

  /** JSON number texts, printable by JavaScript as written or not. */
  const numberText = fc
    .tuple(
      fc.boolean(),
      fc.stringMatching(/^(0|[1-9]\d{0,17})$/),
      fc.option(fc.stringMatching(/^\d{1,10}$/)),
      fc.option(fc.stringMatching(/^[eE][-+]?\d{1,3}$/), { freq: 8 })
    )
    .map(([neg, int, frac, exp]) => `${neg ? '-' : ''}${int}${frac === null ? '' : '.' + frac}${exp ?? ''}`);
  const timeText = fc.oneof(
    fc
      .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
      .map((d) => JSON.stringify(d.toISOString())),
    fc.constantFrom(
      '"2025-01-01T00:00:00Z"',
      '"2025-01-01T00:00:00+05:30"',
      '"2025-01-01T00:00:00.123456789-01:00"',
      '"2025-01-01T00:00:00.1234567890Z"',
      '"2025-01-01T00:00:00.Z"',
      '"2025-01-01T00:00:00+0530"',
      '"2025-01-01T00:00:00X"',
      '"2025-01-01T00:00:00+05:3x"',
      '"2025-01-01T0a:00:00Z"',
      '"2025-01-01 00:00:00Z"',
      '"2025-01-01"',
      '" 2025-01-01T00:00:00Z"',
      '"soon"',
      '1735689600000'
    )
  );
  const textText = fc.oneof(
    fc.string({ unit: 'grapheme-ascii' }).map((s) => JSON.stringify(s)),
    fc.string({ unit: 'grapheme' }).map((s) => JSON.stringify(s)),
    fc.constantFrom('""', '","', '"a,b"', '"\\\\."', '"\\u0041"', '"\\n"', '12', 'true')
  );
  /** Mostly values of the kind clients send (the byte path takes them), some it leaves to the general way. */
  const mostly = (plain: fc.Arbitrary<string>, odd: fc.Arbitrary<string>) =>
    fc.oneof({ arbitrary: plain, weight: 12 }, { arbitrary: odd, weight: 1 });
  const decimal = (scale: number) => fc.integer({ min: -1e9, max: 1e9 }).map((x) => JSON.stringify(x / scale));
  const valueFor: Record<string, fc.Arbitrary<string>> = {
    t: mostly(
      fc
        .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
        .map((d) => JSON.stringify(d.toISOString())),
      timeText
    ),
    s: mostly(
      fc.stringMatching(/^[ !#-[\]-~]{0,12}$/).map((x) => JSON.stringify(x)),
      textText
    ),
    i: mostly(
      fc.integer({ min: -2e9, max: 2e9 }).map(String),
      fc.oneof(numberText, fc.constantFrom('"5"', '1.0', '-0'))
    ),
    f: mostly(
      decimal(1000),
      fc.oneof(
        numberText,
        fc.double().map((d) => JSON.stringify(d)),
        fc.constantFrom('"2.5"', '1e400', '0.0000001')
      )
    ),
    n: mostly(decimal(100), numberText),
    b: mostly(fc.constantFrom('true', 'false'), fc.constantFrom('"yes"', '1')),
  };
  const ws = fc.constantFrom('', ' ', '\n ');
  const rowText = fc
    .tuple(
      fc.tuple(
        ...keys.map((k) =>
          fc.oneof({ arbitrary: valueFor[k], weight: 15 }, { arbitrary: fc.constant('null'), weight: 1 })
        )
      ),
      ws,
      fc.nat(60)
    )
    .map(([values, space, odd]) => {
      const fields = keys.map((k, j) => `${space}"${k}"${space}:${space}${values[j]}`);
      // Now and then a row the byte path does not take: keys in another order, or one missing.
      if (odd === 0) {
        fields.reverse();
      }
      if (odd === 1) {
        fields.pop();
      }
      return `{${fields.join(',')}${space}}`;
    });

  it('gives the CSV of parsing and encoding each row, however the bytes are split', () => {
    fc.assert(
      fc.property(fc.array(rowText, { minLength: 1, maxLength: 30 }), ws, cuts, (rows, space, at) => {
        const text = `[${space}${rows.join(`${space},${space}`)}${space}]`;
        const expected = viaObjects(JSON.parse(text));
        const { lines } = viaBytes(text, at);
        // Equal up to the first row that needs the careful path, where both must stop.
        const stop = expected.indexOf(FAIL);
        assert.deepEqual(
          lines.slice(0, stop < 0 ? undefined : stop + 1),
          expected.slice(0, stop < 0 ? undefined : stop + 1)
        );
      }),
      { numRuns: 1000 }
    );
  });

  it('takes the plain rows of a large body from their bytes', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({
      t: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
      s: i % 10 === 0 ? 'a,b' : i % 10 === 1 ? '' : `s${i % 7}`,
      i: i - 10_000,
      f: Math.round(Math.sin(i) * 1e6) / 1e3,
      n: i / 4,
      b: i % 2 === 0,
    }));
    rows[12_345] = { ...rows[12_345], s: 'é' }; // non-ASCII: that row goes the general way
    const text = JSON.stringify(rows);
    const { lines, fromBytes } = viaBytes(
      text,
      Array.from({ length: 300 }, (_, k) => Math.floor((k * text.length) / 300))
    );
    assert.deepEqual(lines, viaObjects(rows));
    assert.ok(fromBytes > 15_000, `only ${fromBytes} rows from bytes`);
  });

  it('has no plan for rows in another order than the columns, or for columns that need coercion', () => {
    assert.equal(csvPlanFor([...keys].reverse(), columns), null);
    assert.equal(csvPlanFor(['meta'], [column('meta', 'jsonb', 'json')]), null);
    assert.equal(csvPlanFor(['id'], [column('id', 'uuid', 'other')]), null);
    assert.equal(csvPlanFor(['a"b'], [column('a"b', 'text', 'string')]), null);
  });
});
