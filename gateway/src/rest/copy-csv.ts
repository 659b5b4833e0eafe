import type { ResolvedColumn } from '../catalog/catalog';
import { isIntegerType } from '../catalog/column-kind';
import { coerceValue } from './coerce-value';

/**
 * COPY's CSV text, hand-written because it is the hot loop of large POSTs: unquoted empty =
 * NULL, quoted "" = empty string, and a lone \. (which would end the data) is quoted —
 * exactly COPY's CSV rules.
 */

const NEEDS_QUOTES = /[",\n\r]/;

/** Integers up to these magnitudes fit their column for certain. */
const SAFE_INTEGER_MAGNITUDE: Record<string, number> = {
  smallint: 32_767,
  integer: 2_147_483_647,
  bigint: Number.MAX_SAFE_INTEGER,
};

/** One value already coerced for its column (coerceValue's result) → its CSV field. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  const text = value instanceof Date ? value.toISOString() : String(value);
  if (text === '' || text === '\\.' || NEEDS_QUOTES.test(text)) {
    return '"' + text.replace(/"/g, '""') + '"';
  }
  return text;
}

/** A request value → its CSV field; throws CoercionError when it does not fit the column. */
export type CsvEncoder = (value: unknown) => string;

// A complete ISO-8601 time as JSON clients send it ("2025-01-01T00:00:00.000Z", an offset
// instead of Z): a subset of what coerceValue passes through untouched, with nothing to trim or quote.
const PLAIN_ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;

/**
 * The encoder for one column, built once per request: `csvField(coerceValue(column, value))`,
 * with shortcuts for the values JSON bodies mostly carry (finite numbers, strings, ISO times)
 * that give exactly the same field without the general checks.
 * `textValues`: CSV bodies, where every value is text and "" means null.
 */
export function csvEncoderFor(column: ResolvedColumn, textValues: boolean): CsvEncoder {
  const general: CsvEncoder = (value) => csvField(coerceValue(column, value, textValues));
  if (textValues) {
    return general;
  }
  switch (column.kind) {
    case 'number': {
      // Plain numbers well inside the column's range; the rest (ranges, digits JSON lost) is checked the general way.
      const limit = isIntegerType(column.type)
        ? SAFE_INTEGER_MAGNITUDE[column.type]
        : column.type === 'real'
          ? 1e38
          : Infinity;
      const integer = isIntegerType(column.type);
      return (value) =>
        typeof value === 'number' &&
        value - value === 0 &&
        (!integer || Number.isInteger(value)) &&
        Math.abs(value) <= limit &&
        (value === 0 || Math.abs(value) >= 1e-30)
          ? '' + value
          : general(value);
    }
    case 'string':
      return (value) => (typeof value === 'string' && !value.includes('\0') ? csvField(value) : general(value));
    case 'time':
      return (value) => (typeof value === 'string' && PLAIN_ISO_TIME.test(value) ? value : general(value));
    default:
      return general;
  }
}
