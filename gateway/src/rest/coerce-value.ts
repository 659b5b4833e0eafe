import type { ResolvedColumn } from '../catalog/catalog';
import { isIntegerType } from '../catalog/column-kind';

/** Why a value does not fit its column; thrown by coerceValue, turned into a row error or a 400. */
export class CoercionError extends Error {}

/** PostgreSQL text cannot hold U+0000 ("invalid byte sequence for encoding UTF8: 0x00"): said before it gets there. */
export const NUL_REASON = 'text cannot contain the NUL character (U+0000)';

/** The integer types' ranges, as PostgreSQL checks them. */
const INTEGER_RANGES: Record<string, [bigint, bigint]> = {
  smallint: [-(2n ** 15n), 2n ** 15n - 1n],
  integer: [-(2n ** 31n), 2n ** 31n - 1n],
  bigint: [-(2n ** 63n), 2n ** 63n - 1n],
};

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
  if (value === null || value === undefined) {
    return null;
  }
  if (emptyIsNull && value === '' && column.kind !== 'string') {
    return null;
  }
  switch (column.kind) {
    case 'number':
      return coerceNumber(column, value);
    case 'time':
      return coerceTime(value);
    case 'boolean':
      return coerceBoolean(value);
    case 'json':
      return checkJsonb(
        column,
        typeof value === 'string' && emptyIsNull ? parseJsonText(value) : JSON.stringify(value)
      );
    case 'string':
      if (typeof value === 'string') {
        return withoutNul(value);
      }
      if (typeof value === 'number' || typeof value === 'boolean') {
        return String(value);
      }
      throw new CoercionError(`expected text, got ${describe(value)}`);
    default:
      // Other types (uuid, interval, inet, arrays…) go as their PostgreSQL text form.
      if (typeof value === 'string') {
        return withoutNul(value);
      }
      if (typeof value === 'number' || typeof value === 'boolean') {
        return String(value);
      }
      throw new CoercionError(`expected the text form of ${column.type}, got ${describe(value)}`);
  }
}

function withoutNul(text: string): string {
  if (text.includes('\0')) {
    throw new CoercionError(NUL_REASON);
  }
  return text;
}

/** JSON text holds U+0000 only as the escape \u0000, which json keeps and jsonb refuses. */
function checkJsonb(column: ResolvedColumn, text: string): string {
  if (column.type === 'jsonb' && /(^|[^\\])(\\\\)*\\u0000/.test(text)) {
    throw new CoercionError('jsonb cannot hold the NUL character (\\u0000)');
  }
  return text;
}

function coerceNumber(column: ResolvedColumn, value: unknown): number | string {
  const integer = isIntegerType(column.type);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new CoercionError(`expected a finite number, got ${value}`);
    }
    if (integer) {
      if (!Number.isInteger(value)) {
        throw new CoercionError(`expected an integer, got ${value}`);
      }
      // Past 2^53 a JSON number has already lost digits: storing it would store other digits.
      if (!Number.isSafeInteger(value)) {
        throw new CoercionError(`${value} is too large to be exact as a JSON number; send it as a string of digits`);
      }
      checkIntegerRange(column.type, BigInt(value), String(value));
    } else {
      checkFloatRange(column.type, value, String(value));
    }
    return value;
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (integer ? !INTEGER_TEXT.test(text) : !NUMBER_TEXT.test(text) && !/^(NaN|[-+]?Infinity)$/.test(text)) {
      throw new CoercionError(`expected ${integer ? 'an integer' : 'a number'}, got ${JSON.stringify(value)}`);
    }
    if (integer) {
      checkIntegerRange(column.type, BigInt(text), text);
    } else if (NUMBER_TEXT.test(text)) {
      checkFloatRange(column.type, Number(text), text);
    }
    // The digits themselves, so numeric and bigint keep every one of them.
    return text;
  }
  throw new CoercionError(`expected a number, got ${describe(value)}`);
}

function checkIntegerRange(type: string, n: bigint, text: string): void {
  const [min, max] = INTEGER_RANGES[type];
  if (n < min || n > max) {
    throw new CoercionError(`${text} is out of range for ${type} (${min} to ${max})`);
  }
}

/** real and double precision refuse what rounds to infinity or, from non-zero digits, to zero. */
function checkFloatRange(type: string, n: number, text: string): void {
  if (type !== 'real' && type !== 'double precision') {
    return;
  }
  const stored = type === 'real' ? Math.fround(n) : n;
  if (!Number.isFinite(stored) || (stored === 0 && /[1-9]/.test(text.replace(/[eE].*$/, '')))) {
    throw new CoercionError(`${text} is out of range for ${type}`);
  }
}

function coerceTime(value: unknown): Date | string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new CoercionError(`expected a time, got ${value}`);
    }
    return epochTime(value, String(value));
  }
  if (typeof value !== 'string') {
    throw new CoercionError(`expected an ISO-8601 time or epoch milliseconds, got ${describe(value)}`);
  }
  const text = value.trim();
  if (EPOCH_MS_TEXT.test(text) && text.length > 8) {
    return epochTime(Number(text), text);
  }
  // The common ISO-8601 shape is checked by pattern (cheap on large batches); PostgreSQL
  // reads it itself, so a date column keeps its calendar day and a timestamp its wall time.
  if (ISO_TIME_TEXT.test(text)) {
    return text;
  }
  if (Number.isNaN(Date.parse(text)) && !/^(-?infinity|now|today)$/i.test(text)) {
    throw new CoercionError(`expected an ISO-8601 time or epoch milliseconds, got ${JSON.stringify(value)}`);
  }
  return text;
}

/** Epoch milliseconds → a Date; past Date's range (±8.64e15 ms) there is no such time to store. */
function epochTime(ms: number, text: string): Date {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) {
    throw new CoercionError(`${text} epoch milliseconds is outside the range of times (±8.64e15)`);
  }
  return d;
}

function coerceBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') {
    return value;
  }
  const text = String(value).trim().toLowerCase();
  if (TRUE_TEXT.has(text)) {
    return true;
  }
  if (FALSE_TEXT.has(text)) {
    return false;
  }
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
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  return `${typeof value} ${JSON.stringify(value)}`;
}
