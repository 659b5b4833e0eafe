import type { ResolvedTable } from '../catalog/catalog';
import type { Db } from '../db/types';
import { quoteLiteral } from '../pg/quote';
import { TABLE_CHANGES_CHANNEL } from './change-hints';

/**
 * Writers that do not go through the gateway (psql, other services) are seen through a
 * statement-level trigger that NOTIFYs the table's name once per statement, whatever the
 * number of rows: cheap for bulk loads, and NOTIFYs of one transaction are folded into one.
 *
 * Installed on a table's first live query, with the gateway's own connection (which owns or
 * may alter the tables it serves; a reader token never gets DDL of its own). Where that is
 * not allowed, the live query still works through in-process hints and the safety poll.
 * Only tables and hypertables take it: views and continuous aggregates have no statements of
 * their own (the poll serves them).
 */
const SCHEMA = 'tsgw_live';
const FUNCTION = `${SCHEMA}.notify_change`;
export const CHANGE_TRIGGER = 'tsgw_live_change';

const FUNCTION_SQL = `CREATE OR REPLACE FUNCTION ${FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(${quoteLiteral(TABLE_CHANGES_CHANNEL)}, TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
  RETURN NULL;
END $$`;

export type TriggerOutcome = 'installed' | 'present' | 'not_applicable';

export async function ensureChangeTrigger(db: Db, table: ResolvedTable): Promise<TriggerOutcome> {
  if (table.kind !== 'table' && table.kind !== 'hypertable') {
    return 'not_applicable';
  }
  return db.transaction(async (tx) => {
    const present = await tx.query(`SELECT 1 FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname = $2`, [
      table.ident,
      CHANGE_TRIGGER,
    ]);
    if (present.rowCount > 0) {
      return 'present';
    }
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await tx.query(FUNCTION_SQL);
    await tx.query(
      `CREATE TRIGGER ${CHANGE_TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table.ident} FOR EACH STATEMENT EXECUTE FUNCTION ${FUNCTION}()`
    );
    return 'installed';
  });
}
