import type { Db, DbSession } from '../db/types';

/**
 * The role SQL mode reads as, managed by the gateway when no READER_DATABASE_URL is given:
 * no superuser, no CREATEDB / CREATEROLE / REPLICATION / BYPASSRLS, only USAGE on the user
 * schemas and SELECT on their tables (now and, through default privileges, for tables the
 * gateway's user creates later). On PostgreSQL it is a LOGIN role with a password the gateway
 * replaces at start, and SQL mode connects as it: the session has no superuser to return to.
 * On the embedded database it stays NOLOGIN and is entered with `SET LOCAL ROLE`.
 *
 * Names and passwords travel as bound values into transaction-local settings and reach the
 * DDL only through `format('%I' / '%L')` on the server: no SQL text is built here.
 */

/** Marks roles the gateway created, so it never takes over (and re-passwords) someone's login. */
export const READER_ROLE_COMMENT =
  'timescaledb-gateway SQL-mode reader (managed by the gateway; its password is replaced at each start)';

/** Why a role cannot be the reader; the message says what to change. */
export class ReaderRoleRefused extends Error {}

// Same notion of "user schema" as the catalog: not the system's, not TimescaleDB's internals.
const USER_SCHEMA = String.raw`n.nspname NOT IN ('pg_catalog', 'information_schema', 'timescaledb_information', 'timescaledb_experimental', 'toolkit_experimental')
      AND n.nspname NOT LIKE 'pg\_%' AND n.nspname NOT LIKE '\_timescaledb%'`;

const DEFINE_ROLE = String.raw`
DO $define$
DECLARE
  r text := current_setting('tsgw.reader_role');
  v text := current_setting('tsgw.reader_verifier');
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
    -- CREATE ROLE's defaults are the safe ones: NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS.
    EXECUTE format('CREATE ROLE %I', r);
  END IF;
  IF v = '' THEN
    EXECUTE format('ALTER ROLE %I WITH NOLOGIN NOCREATEDB NOCREATEROLE', r);
  ELSE
    EXECUTE format('ALTER ROLE %I WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD %L', r, v);
  END IF;
  -- Only a superuser may name these attributes, so they are named only when they need removing.
  IF (SELECT rolreplication FROM pg_roles WHERE rolname = r) THEN EXECUTE format('ALTER ROLE %I WITH NOREPLICATION', r); END IF;
  IF (SELECT rolbypassrls FROM pg_roles WHERE rolname = r) THEN EXECUTE format('ALTER ROLE %I WITH NOBYPASSRLS', r); END IF;
  EXECUTE format('COMMENT ON ROLE %I IS %L', r, current_setting('tsgw.reader_comment'));
END
$define$`;

const GRANT_READS = String.raw`
DO $grant$
DECLARE
  r text := current_setting('tsgw.reader_role');
  x record;
BEGIN
  IF NOT has_database_privilege(r, current_database(), 'CONNECT') THEN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), r);
  END IF;
  -- Only what the gateway's user may pass on: a non-superuser gateway grants its own tables.
  FOR x IN SELECT n.nspname FROM pg_namespace n
           WHERE ${USER_SCHEMA}
             AND has_schema_privilege(current_user, n.oid, 'USAGE WITH GRANT OPTION')
             AND NOT has_schema_privilege(r, n.oid, 'USAGE')
  LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', x.nspname, r);
  END LOOP;
  FOR x IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${USER_SCHEMA}
             AND has_table_privilege(current_user, c.oid, 'SELECT WITH GRANT OPTION')
             AND NOT has_table_privilege(r, c.oid, 'SELECT')
  LOOP
    EXECUTE format('GRANT SELECT ON TABLE %I.%I TO %I', x.nspname, x.relname, r);
  END LOOP;
  -- Schemas and tables the gateway's user creates from now on are readable too.
  EXECUTE format('ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO %I', r);
  EXECUTE format('ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO %I', r);
END
$grant$`;

interface ExistingRole {
  rolsuper: boolean;
  rolcanlogin: boolean;
  is_gateway: boolean;
  comment: string | null;
}

/**
 * Creates the reader role or brings an existing one back to the reader's attributes, then
 * grants it read access. `passwordVerifier` null → NOLOGIN (embedded), else LOGIN with that
 * SCRAM verifier. Refuses (ReaderRoleRefused) to take over the gateway's own user, a superuser,
 * or a login the gateway did not create; database errors (no CREATEROLE…) pass through.
 */
export async function provisionReaderRole(db: Db, role: string, passwordVerifier: string | null): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<ExistingRole>(
      `SELECT rolsuper, rolcanlogin, rolname IN (current_user, session_user) AS is_gateway, shobj_description(oid, 'pg_authid') AS comment
       FROM pg_roles WHERE rolname = $1`,
      [role]
    );
    const existing = rows[0];
    if (existing) {
      assertMayManage(role, existing);
    }
    await setLocal(tx, { role, verifier: passwordVerifier ?? '', comment: READER_ROLE_COMMENT });
    await tx.query(DEFINE_ROLE);
    await tx.query(GRANT_READS);
  });
}

/** Grants the reader SELECT on tables that appeared since (e.g. created by another user). */
export async function grantReaderReads(db: Db, role: string): Promise<void> {
  await db.transaction(async (tx) => {
    await setLocal(tx, { role });
    await tx.query(GRANT_READS);
  });
}

function assertMayManage(role: string, r: ExistingRole): void {
  const choose = 'Choose another READER_ROLE, or set READER_DATABASE_URL to a read-only login of your own.';
  if (r.is_gateway) {
    throw new ReaderRoleRefused(
      `READER_ROLE "${role}" is the gateway's own database user; SQL mode needs a separate role. ${choose}`
    );
  }
  if (r.rolsuper) {
    throw new ReaderRoleRefused(
      `READER_ROLE "${role}" is a superuser; the gateway will not turn it into the SQL-mode reader. ${choose}`
    );
  }
  // A login the gateway did not create belongs to someone: replacing its password would lock them out.
  // A NOLOGIN role without the mark (e.g. made by hand or by an older gateway) has no password to lose.
  if (r.rolcanlogin && r.comment !== READER_ROLE_COMMENT) {
    throw new ReaderRoleRefused(
      `READER_ROLE "${role}" is an existing login the gateway did not create, and it would replace its password. ${choose}`
    );
  }
}

async function setLocal(tx: DbSession, values: Record<string, string>): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    await tx.query(`SELECT set_config($1, $2, true)`, [`tsgw.reader_${key}`, value]);
  }
}

/** What makes a login more than a reader; listed (with the role that carries it) by checkReaderLogin. */
const PRIVILEGED = `r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls
  OR r.rolname IN ('pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files', 'pg_write_all_data', 'pg_signal_backend', 'pg_checkpoint')`;

/**
 * Checks, on the reader's own connection, that it is a plain reader: neither it nor any role
 * it can become (`SET ROLE`, `set_config('role', …)`) is a superuser or holds a privilege that
 * reaches past SELECT (programs, server files, other backends, bypassing row security).
 * Throws ReaderRoleRefused naming what it found.
 */
export async function checkReaderLogin(session: DbSession): Promise<string> {
  const { rows } = await session.query<{ user: string; superuser: boolean; privileged: string[] }>(
    `SELECT session_user::text AS "user", (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) AS superuser,
            ARRAY(SELECT r.rolname::text FROM pg_roles r
                  WHERE pg_has_role(session_user, r.oid, 'MEMBER') AND (${PRIVILEGED})
                  ORDER BY 1) AS privileged`
  );
  const { user, superuser, privileged } = rows[0];
  if (superuser) {
    throw new ReaderRoleRefused(`The SQL-mode login "${user}" is a superuser; use a login that can only read.`);
  }
  if (privileged.length) {
    const what = privileged.map((p) => (p === user ? `"${p}" itself` : `"${p}"`)).join(', ');
    throw new ReaderRoleRefused(
      `The SQL-mode login "${user}" can do more than read: it is or can become ${what} (superuser, CREATEROLE, CREATEDB, REPLICATION, BYPASSRLS or server-file/program access). ` +
        'Use a login with none of these.'
    );
  }
  return user;
}
