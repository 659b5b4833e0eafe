import { ApiError } from '../errors';

/** Where the name was read: a builder role, a query parameter, a row of a write. */
export interface ColumnPlace {
  where?: string;
  row?: number;
}

/**
 * The one answer to a column name the table does not have, whichever path read it (builder,
 * REST read, write, catalog lookup): 400 `unknown_column` naming the table and the column.
 */
export function unknownColumn(table: string, column: string, place: ColumnPlace = {}): ApiError {
  const at = [place.where, place.row !== undefined ? `row ${place.row}` : undefined].filter(Boolean).join(', ');
  return new ApiError(
    'unknown_column',
    `Unknown column ${JSON.stringify(column)} in table ${JSON.stringify(table)}${at ? ` (${at})` : ''}`,
    {
      table,
      column,
      ...(place.row !== undefined ? { row: place.row } : {}),
    }
  );
}
