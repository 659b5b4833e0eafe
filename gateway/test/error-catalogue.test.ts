import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { ErrorBody } from '../src/contract/errors';
import { ERROR_CODES, ERROR_CODE_NAMES } from '../src/contract/error-codes';
import { ApiError } from '../src/errors';
import { mapDatabaseError } from '../src/db/sqlstate';

describe('error catalogue', () => {
  it('ErrorBody.error accepts exactly the catalogue codes, each schema naming its status', () => {
    for (const code of ERROR_CODE_NAMES) {
      assert.ok(Value.Check(ErrorBody, { error: code, message: 'm' }), code);
    }
    assert.equal(Value.Check(ErrorBody, { error: 'invalid_aggregate', message: 'm' }), false);
    const members = (
      ErrorBody.properties.error as unknown as { anyOf: Array<{ const: string; 'x-http-status': number }> }
    ).anyOf;
    assert.deepEqual(
      members.map((m) => [m.const, m['x-http-status']]),
      ERROR_CODE_NAMES.map((c) => [c, ERROR_CODES[c].status])
    );
  });

  it('derives the status of an ApiError from its code', () => {
    assert.equal(new ApiError('unknown_table', 'x').statusCode, 404);
    assert.equal(new ApiError('statement_timeout', 'x').statusCode, 504);
  });

  it('maps SQLSTATEs by single state first, then by class', () => {
    assert.equal(mapDatabaseError({ code: '42703', message: 'm' })?.code, 'unknown_column');
    assert.equal(mapDatabaseError({ code: '42601', message: 'm' })?.code, 'invalid_query');
    assert.equal(mapDatabaseError({ code: '22P02', message: 'm' })?.statusCode, 400);
    assert.equal(mapDatabaseError({ code: 'XX000', message: 'm' })?.code, 'database_error');
  });

  it('imports nothing, so the plugin bundles it without TypeBox', () => {
    const text = readFileSync(new URL('../src/contract/error-codes.ts', import.meta.url), 'utf8');
    assert.doesNotMatch(text, /^\s*import\b/m);
  });
});
