import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { queryResults } from './helpers/http';

/**
 * bytea in frames as Grafana's PostgreSQL data source returns it: the bytes read as text
 * (its golden file types_other: '\x41424344'::bytea → "ABCD"), the same on both databases.
 */
forEachDatabase((getCtx) => {
  it('returns bytea as its bytes read as UTF-8 text, NULL as null', async () => {
    const { A: result } = await queryResults(getCtx(), [
      {
        mode: 'sql',
        rawSql: `SELECT b FROM (VALUES ('\\x41424344'::bytea), (convert_to('grüße', 'UTF8')), (NULL::bytea)) AS v(b)`,
      },
    ]);
    assert.equal(result.error, undefined, result.error);
    assert.equal(result.frames[0].schema.fields[0].type, 'string');
    assert.deepEqual(result.frames[0].data.values, [['ABCD', 'grüße', null]]);
  });
});
