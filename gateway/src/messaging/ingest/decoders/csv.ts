import { parse } from 'csv-parse/sync';
import { DecodeError } from './decode-error';

/**
 * One CSV message → records keyed by column. The columns come from the config, or else from
 * the message's own first line (each message is a whole CSV document, as a POST body is).
 * An empty field is NULL, as in a `text/csv` POST.
 */
export function parseCsvMessage(
  text: string,
  columns: readonly string[] | undefined,
  delimiter: string
): Array<Record<string, unknown>> {
  let records: string[][];
  try {
    records = parse(text, { delimiter, skip_empty_lines: true, relax_column_count: false, bom: true });
  } catch (err) {
    throw new DecodeError(`not CSV: ${(err as Error).message}`);
  }
  const header = columns ?? records.shift();
  if (!header || header.length === 0) {
    throw new DecodeError('no header line');
  }
  return records.map((fields, i) => {
    if (fields.length !== header.length) {
      throw new DecodeError(`line ${i + (columns ? 1 : 2)} has ${fields.length} fields, the header ${header.length}`);
    }
    const row: Record<string, unknown> = {};
    header.forEach((column, j) => {
      row[column] = fields[j] === '' ? null : fields[j];
    });
    return row;
  });
}
