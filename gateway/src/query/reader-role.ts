import { ApiError } from '../errors';
import type { Db } from '../db/types';

/**
 * The role SQL-mode statements run as (`SET LOCAL ROLE`): no superuser, no login, only
 * SELECT on the user schemas (now and, through default privileges, for tables created later).
 * Read-only transactions alone are not enough: a superuser can `COPY … TO PROGRAM` inside one.
 * Created on first use; a gateway that may not create roles reports it clearly.
 */

export const READER_ROLE = 'tsgw_reader';

const SETUP = `
DO $setup$
DECLARE s text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${READER_ROLE}') THEN
    CREATE ROLE ${READER_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
     AND NOT pg_has_role(current_user, '${READER_ROLE}', 'MEMBER') THEN
    EXECUTE format('GRANT ${READER_ROLE} TO %I', current_user);
  END IF;
  FOR s IN SELECT nspname FROM pg_namespace
           WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
             AND nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
             AND nspname NOT LIKE '\\_timescaledb\\_%' AND nspname NOT IN ('timescaledb_information', 'timescaledb_experimental', 'toolkit_experimental')
  LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${READER_ROLE}', s);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO ${READER_ROLE}', s);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO ${READER_ROLE}', s);
  END LOOP;
END
$setup$`;

const ready = new WeakMap<Db, Promise<string>>();

/** Makes sure the reader role exists and can read the user schemas; once per database handle. */
export function ensureReaderRole(db: Db): Promise<string> {
  let p = ready.get(db);
  if (!p) {
    p = db.query(SETUP).then(
      () => READER_ROLE,
      (err: unknown) => {
        ready.delete(db);
        throw new ApiError(503, 'sql_mode_unavailable', `SQL mode needs the read-only role "${READER_ROLE}", which the gateway could not set up: ${(err as Error).message}`, {
          role: READER_ROLE,
        });
      }
    );
    ready.set(db, p);
  }
  return p;
}

/** Grants SELECT on tables created since the role was set up by someone other than the gateway's user. */
export async function refreshReaderGrants(db: Db): Promise<void> {
  ready.delete(db);
  await ensureReaderRole(db);
}
