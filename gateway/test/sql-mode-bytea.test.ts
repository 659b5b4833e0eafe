import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { api } from './helpers/http';

/**
 * bytea in frames as Grafana's PostgreSQL data source returns it: the bytes read as text
 * (its golden file types_other: '\x41424344'::bytea → "ABCD"), the same on both databases.
 */
forEachDatabase((getCtx) => {
  it('returns bytea as its bytes read as UTF-8 text, NULL as null', async () => {
    const res = await api(getCtx(), '/api/v1/query', {
      body: {
        range: { from: '2024-01-01T00:00:00Z', to: '2024-01-02T00:00:00Z' },
        queries: [
          {
            refId: 'A',
            mode: 'sql',
            format: 'table',
            rawSql: `SELECT b FROM (VALUES ('\\x41424344'::bytea), (convert_to('grüße', 'UTF8')), (NULL::bytea)) AS v(b)`,
          },
        ],
      },
    });
    assert.equal(res.status, 200, res.text);
    const result = res.body.results.A;
    assert.equal(result.error, undefined, result.error);
    assert.equal(result.frames[0].schema.fields[0].type, 'string');
    assert.deepEqual(result.frames[0].data.values, [['ABCD', 'grüße', null]]);
  });
});
