import type { ResolvedColumn } from '../catalog/catalog';
import { isIntegerType } from '../catalog/column-kind';
import { BACKSLASH, CLOSE_BRACE, COLON, COMMA, OPEN_BRACE, QUOTE, isJsonSpace } from './json-bytes';

/**
 * The hot loop of large JSON POSTs, without building objects: rows of a JSON array turned
 * straight from their bytes into COPY CSV bytes, for the plain rows large batches are made
 * of (the same keys in the table's column order; ASCII text without escapes; numbers
 * written the way JavaScript writes them; ISO-8601 times; booleans; nulls).
 *
 * It gives byte for byte the CSV that parsing the row and encoding it for its columns gives
 * (`csvEncoderFor` after `JSON.parse`), and only for rows where that is certain. Anything
 * else — an escape, a non-ASCII byte, another key, a number JavaScript would print
 * differently (`1.50`, `1e3`, `-0`, more than 15 digits), a value that needs its column's
 * coercion, a syntax error — stops it, and that row goes the general way.
 */

export type FieldRule = 'text' | 'integer' | 'float' | 'time' | 'boolean';

export interface CsvPlan {
  /** Per field, in order: the key as JSON text, quotes included. */
  keys: Buffer[];
  rules: FieldRule[];
  /** Per field, the most significant digits a number may have here (integers: fewer than the type's range holds). */
  maxDigits: number[];
}

export interface TranscodedRows {
  /** CSV of the complete rows, newline after each; empty when none was complete. */
  csv: Buffer;
  /** Index in the input just after the last complete row's `}`; -1 when none. */
  end: number;
  /** It stopped at a row it does not take (not merely at the end of the bytes). */
  stopped: boolean;
}

const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NEWLINE = 0x0a;

/** Token scanners answer an index, or one of these. */
const INCOMPLETE = -1; // the bytes end inside the token
const STOP = -2; // not a token this path takes

/** Significant digits up to which every decimal prints back as written (a double holds 15 for sure). */
const MAX_DIGITS = 15;

/** Integers with at most this many digits are inside their type's range for certain (int8: 15, as every number here). */
const INTEGER_DIGITS: Record<string, number> = { smallint: 4, integer: 9, bigint: MAX_DIGITS };

const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

/**
 * The plan for rows with exactly `keys` going into `columns` (in the table's order), or
 * null when such rows cannot take this path at all: keys in another order than the
 * columns, keys that need escapes in JSON, or columns whose values always need coercion.
 */
export function csvPlanFor(keys: string[], columns: ResolvedColumn[]): CsvPlan | null {
  if (keys.length !== columns.length) {
    return null;
  }
  const rules: FieldRule[] = [];
  const maxDigits: number[] = [];
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i];
    if (column.name !== keys[i] || !/^[\x20-\x7e]*$/.test(keys[i]) || /["\\]/.test(keys[i])) {
      return null;
    }
    const rule = ruleFor(column);
    if (!rule) {
      return null;
    }
    rules.push(rule);
    maxDigits.push(rule === 'integer' ? INTEGER_DIGITS[column.type] : MAX_DIGITS);
  }
  return { keys: keys.map((k) => Buffer.from(JSON.stringify(k), 'latin1')), rules, maxDigits };
}

function ruleFor(column: ResolvedColumn): FieldRule | null {
  switch (column.kind) {
    case 'string':
      return 'text';
    case 'number':
      return isIntegerType(column.type) ? 'integer' : 'float';
    case 'time':
      return 'time';
    case 'boolean':
      return 'boolean';
    default:
      return null;
  }
}

/**
 * Rows from `from` (a boundary between elements of the array: after `[` or after a comma),
 * up to the last one complete in `buf` or the first one this path does not take, written
 * into `out` (at least `buf.length - from` bytes).
 * Between rows, only whitespace and one comma; a `]` ends the rows (the caller checks the end).
 */
export function transcodeRows(
  buf: Buffer,
  from: number,
  plan: CsvPlan,
  out: Buffer = Buffer.allocUnsafe(buf.length - from)
): TranscodedRows {
  // The CSV of a row is never longer than its JSON: `out` needs no more room than the input has.
  const fields = plan.rules.length;
  let o = 0;
  let i = from;
  let end = -1;
  let outEnd = 0;
  let stopped = false;

  rows: for (;;) {
    i = skipSpace(buf, i);
    if (i >= buf.length) {
      break;
    }
    if (buf[i] !== OPEN_BRACE) {
      stopped = true;
      break;
    }
    i++;
    for (let f = 0; f < fields; f++) {
      i = matchKey(buf, skipSpace(buf, i), plan.keys[f]);
      if (i >= 0) {
        i = skipSpace(buf, i);
      }
      if (i >= 0 && i < buf.length && buf[i] !== COLON) {
        i = STOP;
      }
      if (i >= 0) {
        i = skipSpace(buf, i + 1);
      }
      if (i >= buf.length) {
        i = INCOMPLETE;
      }
      if (i < 0) {
        stopped = i === STOP;
        break rows;
      }
      if (f > 0) {
        out[o++] = COMMA;
      }
      const start = i;
      const b = buf[i];
      if (b === 0x6e /* n */) {
        i = matchWord(buf, i, 'null');
      } else {
        switch (plan.rules[f]) {
          case 'text':
            i = b === QUOTE ? scanPlainString(buf, i) : STOP;
            if (i >= 0) {
              o = writeText(buf, start + 1, i - 1, out, o);
            }
            break;
          case 'time':
            i = b === QUOTE ? scanPlainString(buf, i) : STOP;
            if (i >= 0 && !isPlainIsoTime(buf, start + 1, i - 1)) {
              i = STOP;
            }
            if (i >= 0) {
              o = copyBytes(buf, start + 1, i - 1, out, o);
            }
            break;
          case 'integer':
          case 'float':
            i = scanPrintableNumber(buf, i, plan.rules[f] === 'integer', plan.maxDigits[f]);
            if (i >= 0) {
              o = copyBytes(buf, start, i, out, o);
            }
            break;
          case 'boolean':
            i = b === 0x74 /* t */ ? matchWord(buf, i, 'true') : b === 0x66 /* f */ ? matchWord(buf, i, 'false') : STOP;
            if (i >= 0) {
              o = copyBytes(buf, start, i, out, o);
            }
            break;
        }
      }
      if (i >= 0) {
        i = skipSpace(buf, i);
      }
      if (i >= buf.length) {
        i = INCOMPLETE;
      }
      if (i >= 0 && buf[i] !== (f === fields - 1 ? CLOSE_BRACE : COMMA)) {
        i = STOP;
      }
      if (i < 0) {
        stopped = i === STOP;
        break rows;
      }
      i++;
    }
    out[o++] = NEWLINE;
    end = i;
    outEnd = o;
    i = skipSpace(buf, i);
    if (i >= buf.length || buf[i] !== COMMA) {
      // The end of the bytes, the end of the array, or something the general way reports.
      stopped = i < buf.length && buf[i] !== 0x5d; /* ] */
      break;
    }
    i++;
  }
  return { csv: out.subarray(0, outEnd), end, stopped };
}

function skipSpace(buf: Buffer, from: number): number {
  let i = from;
  while (i < buf.length && isJsonSpace(buf[i])) {
    i++;
  }
  return i;
}

function matchKey(buf: Buffer, i: number, key: Buffer): number {
  const n = Math.min(key.length, buf.length - i);
  for (let k = 0; k < n; k++) {
    if (buf[i + k] !== key[k]) {
      return STOP;
    }
  }
  return n < key.length ? INCOMPLETE : i + key.length;
}

function matchWord(buf: Buffer, i: number, word: string): number {
  const n = Math.min(word.length, buf.length - i);
  for (let k = 0; k < n; k++) {
    if (buf[i + k] !== word.charCodeAt(k)) {
      return STOP;
    }
  }
  return n < word.length ? INCOMPLETE : i + word.length;
}

/** A string of printable ASCII without escapes: index after its closing quote. */
function scanPlainString(buf: Buffer, i: number): number {
  for (let j = i + 1; j < buf.length; j++) {
    const b = buf[j];
    if (b === QUOTE) {
      return j + 1;
    }
    if (b === BACKSLASH || b < 0x20 || b > 0x7e) {
      return STOP;
    }
  }
  return INCOMPLETE;
}

/** Text field: as is, quoted when empty or holding a comma (no quote or newline can be in it: see scanPlainString). */
function writeText(buf: Buffer, from: number, to: number, out: Buffer, o: number): number {
  let comma = from === to;
  for (let j = from; j < to && !comma; j++) {
    comma = buf[j] === COMMA;
  }
  if (!comma) {
    return copyBytes(buf, from, to, out, o);
  }
  out[o++] = QUOTE;
  o = copyBytes(buf, from, to, out, o);
  out[o++] = QUOTE;
  return o;
}

/** Fields are short: a plain loop beats a native call per field. */
function copyBytes(buf: Buffer, from: number, to: number, out: Buffer, o: number): number {
  for (let j = from; j < to; j++) {
    out[o++] = buf[j];
  }
  return o;
}

/**
 * A JSON number that JavaScript prints exactly as written: no exponent, no `-0`, at most 15
 * significant digits, no trailing zero after the point, not below 1e-6 (printed with an
 * exponent), at most `maxDigits` digits; integers only for integer columns. Index after it.
 */
function scanPrintableNumber(buf: Buffer, i: number, integer: boolean, maxDigits: number): number {
  let j = i;
  if (buf[j] === MINUS) {
    j++;
  }
  if (j >= buf.length) {
    return INCOMPLETE;
  }
  const intStart = j;
  if (buf[j] === ZERO) {
    j++;
  } else if (isDigit(buf[j])) {
    while (j < buf.length && isDigit(buf[j])) {
      j++;
    }
  } else {
    return STOP;
  }
  if (j >= buf.length) {
    return INCOMPLETE;
  }
  let digits = buf[intStart] === ZERO ? 0 : j - intStart;
  if (buf[j] === DOT) {
    if (integer) {
      return STOP;
    }
    const fracStart = ++j;
    while (j < buf.length && isDigit(buf[j])) {
      j++;
    }
    if (j === buf.length) {
      return INCOMPLETE;
    }
    if (j === fracStart || buf[j - 1] === ZERO) {
      return STOP;
    }
    let lead = 0;
    if (digits === 0) {
      while (buf[fracStart + lead] === ZERO) {
        lead++;
      }
    }
    if (lead >= 6) {
      return STOP;
    }
    digits += j - fracStart - lead;
  } else if (digits === 0 && buf[i] === MINUS) {
    return STOP; // -0
  }
  if (j >= buf.length) {
    return INCOMPLETE;
  }
  const next = buf[j];
  if (next === 0x65 || next === 0x45 /* e E */ || next === DOT || isDigit(next) || digits > maxDigits) {
    return STOP;
  }
  return j;
}

/** The fixed head of an ISO-8601 time; `0` stands for any digit. */
const TIME_HEAD = Buffer.from('0000-00-00T00:00:00', 'latin1');

/** YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM), the times JSON clients send (csvEncoderFor's PLAIN_ISO_TIME). */
function isPlainIsoTime(buf: Buffer, from: number, to: number): boolean {
  if (to - from < TIME_HEAD.length + 1) {
    return false;
  }
  for (let k = 0; k < TIME_HEAD.length; k++) {
    const b = buf[from + k];
    const want = TIME_HEAD[k];
    if (want === ZERO ? !isDigit(b) : b !== want) {
      return false;
    }
  }
  let j = from + TIME_HEAD.length;
  if (buf[j] === DOT) {
    const fracStart = ++j;
    while (j < to && isDigit(buf[j])) {
      j++;
    }
    if (j === fracStart || j - fracStart > 9) {
      return false;
    }
  }
  if (j === to - 1) {
    return buf[j] === 0x5a;
  } /* Z */
  if (j !== to - 6 || (buf[j] !== 0x2b && buf[j] !== MINUS) || buf[j + 3] !== COLON) {
    return false;
  }
  return isDigit(buf[j + 1]) && isDigit(buf[j + 2]) && isDigit(buf[j + 4]) && isDigit(buf[j + 5]);
}
