import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../src/errors';
import { checkReadOnlyStatement } from '../src/sql/statement';

/** The error code the checker answers for `sql`, or null when it accepts it. */
function refusal(sql: string): string | null {
  try {
    checkReadOnlyStatement(sql);
    return null;
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    return err.code;
  }
}

const SET_ROLE = "set_config($q$role$q$, $q$postgres$q$, true)";

describe('SQL-mode checker against PostgreSQL lexing tricks', () => {
  it('ends a -- comment at a carriage return, as PostgreSQL does', () => {
    assert.equal(refusal(`SELECT 1 --\r, ${SET_ROLE}`), 'function_not_allowed');
    assert.equal(refusal('SELECT 1 --\r; DELETE FROM t'), 'multiple_statements');
    assert.equal(refusal('SELECT 1 -- a comment\r\n'), null);
  });

  it('sees dollar quotes with tags of any length', () => {
    const tag = '$' + 'T'.repeat(250) + '$';
    assert.equal(refusal(`SELECT ${tag} ' ${tag}, ${SET_ROLE} --'`), 'function_not_allowed');
    assert.equal(refusal(`SELECT ${tag} ' ; ${tag} ; SELECT 2 --'`), 'multiple_statements');
    assert.equal(refusal(`SELECT ${tag} ; set_config ${tag}`), null);
  });

  it('sees a dollar quote right after a number (PostgreSQL lexes 1$a$ as 1 and a quote)', () => {
    assert.equal(refusal(`SELECT 1$a$ ' $a$, ${SET_ROLE} --'`), 'function_not_allowed');
  });

  it('treats only ASCII whitespace as whitespace: no-break spaces belong to identifiers', () => {
    // PostgreSQL reads `x\u00a0$a$` as one identifier and what follows as a string: nothing runs.
    assert.equal(refusal(`SELECT x\u00a0$a$ ' $a$, ${SET_ROLE} --'`), null);
    assert.equal(refusal('SELECT\u00a01'), 'statement_not_allowed');
  });

  it('keeps ; and names inside strings, identifiers, comments and dollar quotes', () => {
    for (const sql of [
      "SELECT E'\\'; set_config(1)'",
      "SELECT 'it''s; set_config'",
      'SELECT "a;b" FROM t',
      'SELECT 1 /* /* ; set_config */ ; */',
      'SELECT $$;$$, $x$ $$ ; $x$',
      "SELECT U&'\\0027; set_config'",
    ]) {
      assert.equal(refusal(sql), null, sql);
    }
  });

  it('refuses function names however they are spelled', () => {
    for (const sql of ['SELECT SET_CONFIG(1)', 'SELECT "set_config"(1)', 'SELECT pg_catalog.set_config(1)', 'SELECT * FROM set_config(1)', 'SELECT U&"set\\005Fconfig"(1)']) {
      assert.notEqual(refusal(sql), null, sql);
    }
  });

  it('refuses statements that write or lock behind a reading keyword', () => {
    for (const sql of [
      'SELECT 1 INTO newtable',
      'select 1 into',
      'SELECT * INTO TEMP t FROM x',
      'SELECT * FROM t FOR UPDATE',
      'SELECT * FROM t FOR NO KEY UPDATE',
      'SELECT * FROM t FOR SHARE',
      'SELECT * FROM t FOR KEY SHARE',
      'WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM x',
      'WITH x AS (DELETE FROM t RETURNING *) SELECT 1',
      'WITH x AS (UPDATE t SET a = 1 RETURNING *) SELECT 1',
      'EXPLAIN ANALYZE DELETE FROM t',
      'EXPLAIN ANALYZE MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE',
      'COPY t TO STDOUT',
      'CALL p()',
      'DO $$ BEGIN END $$',
    ]) {
      const code = refusal(sql);
      assert.ok(code === 'not_supported' || code === 'statement_not_allowed', `${sql}: ${code}`);
    }
  });

  it('still accepts reading statements that merely mention those words', () => {
    for (const sql of [
      "SELECT 'into', \"update\", $$ for update $$ FROM t -- delete",
      "SELECT substring('abcdef' from 1 for 2)",
      'TABLE t',
      'VALUES (1), (2)',
      'SHOW timezone',
      '(SELECT 1)',
    ]) {
      assert.equal(refusal(sql), null, sql);
    }
  });
});
