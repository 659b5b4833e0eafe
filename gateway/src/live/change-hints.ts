import type { ResolvedTable } from '../catalog/catalog';
import type { ChangeNotifications } from '../db/notifications';

/**
 * Change hints: "rows of this table may have changed". They wake live queries; they never
 * carry data (the query is re-run). Gateway writes announce themselves in-process; other
 * writers are heard through the statement trigger of change-trigger.ts, on the same channel of
 * the one LISTEN connection. The payload is the table's `schema.relname`.
 */
export const TABLE_CHANGES_CHANNEL = 'tsgw_table_changes';

/** How a hint names a table: what the trigger sends (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME). */
export function changeKeyOf(table: Pick<ResolvedTable, 'schema' | 'relname'>): string {
  return `${table.schema}.${table.relname}`;
}

/** After a gateway write to `table` commits (REST POST, ingest bridges). */
export function announceTableChange(
  notifications: ChangeNotifications,
  table: Pick<ResolvedTable, 'schema' | 'relname'>
): void {
  notifications.emit(TABLE_CHANGES_CHANNEL, changeKeyOf(table));
}
