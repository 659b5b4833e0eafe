import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResolvedColumn } from '../src/catalog/catalog';
import { placeOfCopyError } from '../src/rest/locate-row-error';
import { instantMs } from '../src/rest/instant';

const column = (name: string): ResolvedColumn => ({
  name,
  type: 'text',
  kind: 'string',
  nullable: true,
  ident: `"${name}"`,
});

describe('the row of a COPY error', () => {
  const columns = [column('id'), column('b, c'), column('b')];
  const values = [
    ['1', 'first\nrow', 'x'],
    ['2', 'one line', 'x'],
    ['3', 'two\nlines', 'x'],
    ['4', 'last', 'x'],
  ];

  it('counts the lines a row takes, except inside the first row, as PostgreSQL does', () => {
    // Lines: row 0 → 1 (its newline is not counted), row 1 → 2, row 2 → 3–4, row 3 → 5.
    const at = (line: number) => placeOfCopyError({ where: `COPY t, line ${line}, column b: "x"` }, columns, values);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((line) => at(line)?.row),
      [0, 1, 2, 2, 3]
    );
    assert.equal(at(6), null);
  });

  it('names the longest column the context starts with, and none for row-level errors', () => {
    assert.deepEqual(placeOfCopyError({ where: 'COPY t, line 2, column b, c: "toolong"' }, columns, values), {
      row: 1,
      column: 'b, c',
    });
    assert.deepEqual(placeOfCopyError({ where: 'COPY t, line 2, column b: null input' }, columns, values), {
      row: 1,
      column: 'b',
    });
    assert.deepEqual(placeOfCopyError({ where: 'COPY t, line 5: "4,last,x"' }, columns, values), {
      row: 3,
      column: undefined,
    });
    assert.deepEqual(
      placeOfCopyError({ where: 'PL/pgSQL function f() line 3 at RAISE\nCOPY t, line 2' }, columns, values),
      { row: 1, column: undefined }
    );
  });

  it('gives nothing for errors without a COPY context', () => {
    assert.equal(placeOfCopyError({ where: 'unnamed portal parameter $3' }, columns, values), null);
    assert.equal(placeOfCopyError(new Error('x'), columns, values), null);
  });
});

describe('the instant of a coerced time value', () => {
  it('reads epoch Dates, zoned and zone-less ISO text alike, and the special words', () => {
    assert.equal(instantMs(new Date(5)), 5);
    assert.equal(instantMs('2024-01-01T00:00:00Z'), Date.parse('2024-01-01T00:00:00Z'));
    assert.equal(instantMs('2024-01-01 01:00'), Date.parse('2024-01-01T01:00:00Z'));
    assert.equal(instantMs('2024-01-01T02:00:00+02:00'), Date.parse('2024-01-01T00:00:00Z'));
    assert.equal(instantMs('-infinity'), -Infinity);
    assert.equal(instantMs('Infinity'), Infinity);
    assert.ok(Math.abs(instantMs('now')! - Date.now()) < 1000);
    assert.equal(instantMs('whenever'), null);
  });
});
