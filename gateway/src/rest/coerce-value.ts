import type { ResolvedColumn } from '../catalog/catalog';
import { isIntegerType } from '../catalog/column-kind';

/** Why a value does not fit its column; thrown by coerceValue, turned into a row error or a 400. */
export class CoercionError extends Error {}

const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const INTEGER_TEXT = /^[-+]?\d+$/;
const EPOCH_MS_TEXT = /^-?\d{1,16}$/;
const ISO_TIME_TEXT = /^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d{1,9})?)?)?(Z|[+-]\d\d(:?\d\d)?)?$/;
const TRUE_TEXT = new Set(['true', 't', '1', 'yes', 'y', 'on']);
const FALSE_TEXT = new Set(['false', 'f', '0', 'no', 'n', 'off']);

/**
 * A request value (JSON or text) → what is bound for the column: null, a number, the
 * exact digits of a numeric, a Date, a boolean or text. Checked here so a bad value is
 * reported with its column instead of as a database error.
 * `emptyIsNull`: CSV / query strings cannot tell "" from missing for non-text columns.
 */
export function coerceValue(column: ResolvedColumn, value: unknown, emptyIsNull = false): unknown {
  if (value === null || value === undefined) return null;
  if (emptyIsNull && value === '' && column.kind !== 'string') return null;
  switch (column.kind) {
    case 'number':
      return coerceNumber(column, value);
    case 'time':
      return coerceTime(value);
    case 'boolean':
      return coerceBoolean(value);
    case 'json':
      return typeof value === 'string' && emptyIsNull ? parseJsonText(value) : JSON.stringify(value);
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw new CoercionError(`expected text, got ${describe(value)}`);
    default:
      // Other types (uuid, interval, inet, arrays…) go as their PostgreSQL text form.
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw new CoercionError(`expected the text form of ${column.type}, got ${describe(value)}`);
  }
}

function coerceNumber(column: ResolvedColumn, value: unknown): number | string {
  const integer = isIntegerType(column.type);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CoercionError(`expected a finite number, got ${value}`);
    if (integer && !Number.isInteger(value)) throw new CoercionError(`expected an integer, got ${value}`);
    return value;
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (integer ? !INTEGER_TEXT.test(text) : !NUMBER_TEXT.test(text) && !/^(NaN|[-+]?Infinity)$/.test(text)) {
      throw new CoercionError(`expected ${integer ? 'an integer' : 'a number'}, got ${JSON.stringify(value)}`);
    }
    // The digits themselves, so numeric and bigint keep every one of them.
    return text;
  }
  throw new CoercionError(`expected a number, got ${describe(value)}`);
}

function coerceTime(value: unknown): Date | string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CoercionError(`expected a time, got ${value}`);
    return new Date(value);
  }
  if (typeof value !== 'string') throw new CoercionError(`expected an ISO-8601 time or epoch milliseconds, got ${describe(value)}`);
  const text = value.trim();
  if (EPOCH_MS_TEXT.test(text) && text.length > 8) return new Date(Number(text));
  // The common ISO-8601 shape is checked by pattern (cheap on large batches); PostgreSQL
  // reads it itself, so a date column keeps its calendar day and a timestamp its wall time.
  if (ISO_TIME_TEXT.test(text)) return text;
  if (Number.isNaN(Date.parse(text)) && !/^(-?infinity|now|today)$/i.test(text)) {
    throw new CoercionError(`expected an ISO-8601 time or epoch milliseconds, got ${JSON.stringify(value)}`);
  }
  return text;
}

function coerceBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (TRUE_TEXT.has(text)) return true;
  if (FALSE_TEXT.has(text)) return false;
  throw new CoercionError(`expected true or false, got ${JSON.stringify(value)}`);
}

function parseJsonText(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    throw new CoercionError(`expected JSON, got ${JSON.stringify(text.slice(0, 50))}`);
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
