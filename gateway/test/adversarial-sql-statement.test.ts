import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../src/errors';
import { loadSqlParser, MAX_SQL_CHARACTERS } from '../src/pg/parse-sql';
import { checkReadOnlyStatement } from '../src/sql/read-only-statement';

/** The error code the checker answers for `sql`, or null when it accepts it. */
function refusal(sql: string): string | null {
  try {
    checkReadOnlyStatement(sql);
    return null;
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.statusCode, 400);
    return err.code;
  }
}

/** The functions an accepted statement calls, `schema.name` when qualified. */
function calls(sql: string): string[] {
  return checkReadOnlyStatement(sql).functions.map((f) => (f.schema ? `${f.schema}.${f.name}` : f.name));
}

const SET_ROLE = 'set_config($q$role$q$, $q$postgres$q$, true)';

describe('SQL-mode checker on PostgreSQL’s parse tree, against lexing tricks', () => {
  before(() => loadSqlParser());

  it('ends a -- comment at a carriage return, as PostgreSQL does', () => {
    assert.deepEqual(calls(`SELECT 1 --\r, ${SET_ROLE}`), ['set_config']);
    assert.equal(refusal('SELECT 1 --\r; DELETE FROM t'), 'multiple_statements');
    assert.equal(refusal('SELECT 1 -- a comment\r\n'), null);
  });

  it('sees dollar quotes with tags of any length', () => {
    const tag = '$' + 'T'.repeat(250) + '$';
    assert.deepEqual(calls(`SELECT ${tag} ' ${tag}, ${SET_ROLE} --'`), ['set_config']);
    assert.equal(refusal(`SELECT ${tag} ' ; ${tag} ; SELECT 2 --'`), 'multiple_statements');
    assert.deepEqual(calls(`SELECT ${tag} ; set_config ${tag}`), []);
  });

  it('sees a dollar quote right after a number (PostgreSQL lexes 1$a$ as 1 and a quote)', () => {
    // PostgreSQL 15+ refuses the junk after the number; older servers read a string: either way no call runs.
    const verdict = refusal(`SELECT 1$a$ ' $a$, ${SET_ROLE} --'`);
    assert.ok(
      verdict === 'invalid_sql' || calls(`SELECT 1$a$ ' $a$, ${SET_ROLE} --'`).includes('set_config'),
      String(verdict)
    );
  });

  it('treats only ASCII whitespace as whitespace: no-break spaces belong to identifiers', () => {
    // PostgreSQL reads `x\u00a0$a$` as one type name and what follows as its string: nothing is called.
    assert.deepEqual(calls(`SELECT x\u00a0$a$ ' $a$, ${SET_ROLE} --'`), []);
    assert.equal(refusal('SELECT\u00a01'), 'invalid_sql');
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
      assert.deepEqual(calls(sql), [], sql);
    }
  });

  it('names the function however it is spelled', () => {
    for (const [sql, name] of [
      ['SELECT SET_CONFIG(1)', 'set_config'],
      ['SELECT "set_config"(1)', 'set_config'],
      ['SELECT pg_catalog.set_config(1)', 'pg_catalog.set_config'],
      ['SELECT * FROM set_config(1)', 'set_config'],
      ['SELECT U&"set\\005Fconfig"(1)', 'set_config'],
      ["SELECT 1 FROM t, LATERAL (SELECT nextval('s')) x WHERE lo_get(1) IS NULL", 'nextval'],
      ['WITH c AS (SELECT pg_advisory_lock(1)) SELECT * FROM c', 'pg_advisory_lock'],
      ["SELECT CAST(pg_read_file('/etc/passwd') AS int)", 'pg_read_file'],
      ["SELECT count(*) FILTER (WHERE pg_notify('a', 'b') IS NULL) OVER () FROM t", 'pg_notify'],
      ["SELECT a FROM t ORDER BY dblink_exec('x')", 'dblink_exec'],
      ['SELECT t.fn FROM t', 'fn'],
    ] as const) {
      assert.ok(calls(sql).includes(name), `${sql}: ${calls(sql).join(', ')}`);
    }
    assert.deepEqual(checkReadOnlyStatement('SELECT (t).fn, t.col FROM t').functions, [
      { name: 'fn', asColumn: true },
      { name: 'col', asColumn: true },
    ]);
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
      'SELECT * FROM (SELECT * FROM t FOR UPDATE) s',
      'WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM x',
      'WITH x AS (DELETE FROM t RETURNING *) SELECT 1',
      'WITH x AS (UPDATE t SET a = 1 RETURNING *) SELECT 1',
      'EXPLAIN ANALYZE DELETE FROM t',
      'EXPLAIN ANALYZE MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE',
      'EXPLAIN ANALYZE CREATE TABLE x AS SELECT 1',
      'COPY t TO STDOUT',
      'CALL p()',
      'DO $$ BEGIN END $$',
      'SET ROLE postgres',
      'SET TRANSACTION READ WRITE',
      'BEGIN',
      'RESET ALL',
      'PREPARE p AS SELECT 1',
      'LISTEN x',
      'DECLARE c CURSOR WITH HOLD FOR SELECT 1',
    ]) {
      const code = refusal(sql);
      assert.ok(
        code === 'not_supported' || code === 'statement_not_allowed' || code === 'invalid_sql',
        `${sql}: ${code}`
      );
    }
  });

  it('names what it refuses', () => {
    const message = (sql: string) => {
      try {
        checkReadOnlyStatement(sql);
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    };
    assert.match(message('SELECT * FROM t FOR NO KEY UPDATE'), /FOR NO KEY UPDATE locks rows/);
    assert.match(message('SELECT 1 INTO t'), /SELECT … INTO creates a table/);
    assert.match(message('WITH x AS (DELETE FROM t RETURNING *) SELECT 1'), /DELETE writes rows/);
    assert.match(message('/* hi */ COPY t TO STDOUT'), /not COPY$/);
    assert.match(message('SELECT 1; SELECT 2'), /exactly one statement/);
    assert.match(message('SELECT 1 +'), /does not parse: syntax error at end of input/);
  });

  it('still accepts reading statements that merely mention those words, and bare columns named like keywords', () => {
    for (const sql of [
      'SELECT \'into\', "update", $$ for update $$ FROM t -- delete',
      'SELECT update, insert, delete, t.into FROM t WHERE update > 0 ORDER BY delete',
      "SELECT substring('abcdef' from 1 for 2)",
      'TABLE t',
      'VALUES (1), (2)',
      'SHOW timezone',
      '(SELECT 1)',
      'EXPLAIN SELECT 1',
    ]) {
      assert.equal(refusal(sql), null, sql);
    }
    assert.equal(checkReadOnlyStatement('SHOW timezone').wrappable, false);
    assert.equal(checkReadOnlyStatement('(SELECT 1) UNION (SELECT 2)').wrappable, true);
  });

  it('hands on the statement alone: no trailing semicolons, UTF-8 kept', () => {
    assert.equal(checkReadOnlyStatement('SELECT \'é;ü\' AS "ä" ;;  ').sql, 'SELECT \'é;ü\' AS "ä"');
    assert.equal(checkReadOnlyStatement("SELECT 'a;b' /* ; */ -- ;\n;;").sql, "SELECT 'a;b' /* ; */ -- ;");
    assert.equal(refusal(' ;; -- nothing'), 'empty_sql');
    assert.equal(refusal(''), 'empty_sql');
  });

  it('bounds the statement length (the parse runs on the event loop)', () => {
    assert.equal(refusal(`SELECT '${'x'.repeat(MAX_SQL_CHARACTERS)}'`), 'sql_too_long');
  });
});
