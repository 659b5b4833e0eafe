import { NotStreamable } from './not-streamable';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  isJsonSpace,
} from './json-bytes';

/** Parses one complete JSON text the way the whole-body parser does (same checks); throws when it is not valid. */
export type ParseJson = (text: string) => unknown;

export type JsonRow = Record<string, unknown>;

/** Rows as parsed objects, in body order. */
export type RowBatch = JsonRow[];

/** Bytes gathered before a segment is cut: enough that per-segment costs vanish, small enough to overlap with COPY. */
const MIN_SEGMENT_BYTES = 32 * 1024;
/** Last `}` positions tried as a cut before scanning the segment byte by byte (nested objects end in `}` too). */
const CUT_TRIES = 3;
const NO_ROWS: JsonRow[] = [];

const isRow = (v: unknown): v is JsonRow => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads a JSON array of objects as its bytes arrive, handing out its elements a segment at
 * a time, so rows can be checked and copied while the body is still coming in.
 *
 * Each segment is the text of whole elements between two cuts, parsed natively as
 * `[` + segment + `]`. A cut is made after a `}`: a parse that succeeds proves the cut sits
 * between two top-level elements (parsing from a known boundary, any cut inside a string or
 * a nested value leaves something unclosed), so no byte-by-byte tokenizer runs in the
 * common case. When the last few `}` are all nested, one scan of the segment finds the
 * real boundary. Between segments only whitespace and one comma may stand; after the
 * closing `]` only whitespace. Together these accept exactly the documents a whole-body
 * parse accepts, and give the same values.
 *
 * Anything else — a single object, a syntax error, a non-object element — throws
 * NotStreamable: the caller then parses the whole body instead.
 */
export class JsonArraySegments {
  /** Bytes after the last cut (or after the opening `[`), not yet handed out. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private nextCutAt: number;
  private opened = false;
  /** At least one element was handed out: the next one must follow a comma. */
  private afterElement = false;
  /**
   * Memory reused across segments (few large allocations instead of one per segment, which
   * would push the garbage collector): holds a segment's bytes while it is cut.
   */
  private work = Buffer.alloc(0);

  constructor(
    private readonly parseJson: ParseJson,
    /** Bytes gathered before a cut is tried (tests use tiny segments to try every cut). */
    private readonly minSegmentBytes = MIN_SEGMENT_BYTES
  ) {
    this.nextCutAt = minSegmentBytes;
  }

  /** The next bytes of the body → the rows they complete (often none). */
  push(chunk: Buffer): RowBatch {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.nextCutAt) {
      return NO_ROWS;
    }
    const buf = this.takePending();
    let start = 0;
    if (!this.opened) {
      start = this.skipOpening(buf);
      if (start < 0) {
        return this.keep(buf, 0);
      }
    }
    const contentStart = this.afterElement ? this.skipComma(buf, start) : start;
    if (contentStart < 0) {
      return this.keep(buf, start);
    }
    const cut = this.findCut(buf, contentStart);
    if (cut === null) {
      return this.keep(buf, start);
    }
    this.afterElement = true;
    this.keep(buf, cut.end);
    this.nextCutAt = this.minSegmentBytes;
    return cut.rows;
  }

  /** The body ended: the last rows, after checking that the array was closed properly. */
  end(): JsonRow[] {
    const buf = this.takePending();
    let start = 0;
    if (!this.opened) {
      start = this.skipOpening(buf);
      if (start < 0) {
        throw new NotStreamable('no JSON array');
      }
    }
    let tail = start;
    let needsElement = false;
    if (this.afterElement) {
      tail = skipSpace(buf, start);
      if (buf[tail] === COMMA) {
        tail++;
        needsElement = true; // "[{…},]" is not JSON
      } else if (buf[tail] !== CLOSE_BRACKET) {
        throw new NotStreamable('expected , or ] between elements');
      }
    }
    const rows = this.parseRows('[' + buf.toString('utf8', tail));
    if (needsElement && rows.length === 0) {
      throw new NotStreamable('trailing comma');
    }
    return rows;
  }

  /** The pending bytes as one buffer: a lone chunk as it is, several copied into `work` (the first may already live there). */
  private takePending(): Buffer {
    const total = this.pendingBytes;
    let buf = this.pending.length === 1 ? this.pending[0] : null;
    if (!buf) {
      if (this.work.length < total) {
        const grown = Buffer.allocUnsafeSlow(Math.max(total, 2 * this.work.length, 128 * 1024));
        this.work = grown;
      }
      let at = 0;
      for (const piece of this.pending) {
        at += piece.copy(this.work, at);
      } // copy() allows overlap
      buf = this.work.subarray(0, total);
    }
    this.pending = [];
    this.pendingBytes = 0;
    return buf;
  }

  /** Waits for more bytes, keeping `buf` from `from` on; the next try comes after twice as many, so waiting stays linear. */
  private keep(buf: Buffer, from: number): JsonRow[] {
    const rest = from === 0 ? buf : buf.subarray(from);
    if (rest.length) {
      this.pending.push(rest);
      this.pendingBytes = rest.length;
    }
    this.nextCutAt = Math.max(this.minSegmentBytes, this.pendingBytes * 2);
    return NO_ROWS;
  }

  /** Index after the opening `[`, -1 while only whitespace came; not an array → NotStreamable. */
  private skipOpening(buf: Buffer): number {
    const i = skipSpace(buf, 0);
    if (i === buf.length) {
      return -1;
    }
    if (buf[i] !== OPEN_BRACKET) {
      throw new NotStreamable('not a JSON array');
    }
    this.opened = true;
    return i + 1;
  }

  /** Index after the comma that must follow an element, -1 when the body has not said yet. */
  private skipComma(buf: Buffer, from: number): number {
    const i = skipSpace(buf, from);
    if (i === buf.length || buf[i] === CLOSE_BRACKET) {
      return -1;
    } // the end is checked by end()
    if (buf[i] !== COMMA) {
      throw new NotStreamable('expected , or ] between elements');
    }
    return i + 1;
  }

  private findCut(buf: Buffer, contentStart: number): { rows: JsonRow[]; end: number } | null {
    let brace = buf.length;
    for (let t = 0; t < CUT_TRIES; t++) {
      brace = buf.lastIndexOf(CLOSE_BRACE, brace - 1);
      if (brace < contentStart) {
        return null;
      }
      const rows = this.tryRows(buf, contentStart, brace + 1);
      if (rows) {
        return { rows, end: brace + 1 };
      }
    }
    const end = lastElementEnd(buf, contentStart);
    if (end < 0) {
      return null;
    }
    // A real boundary that does not parse: the body is not valid JSON.
    return { rows: this.parseRows('[' + buf.toString('utf8', contentStart, end) + ']'), end };
  }

  private tryRows(buf: Buffer, start: number, end: number): JsonRow[] | null {
    let value: unknown;
    try {
      value = this.parseJson('[' + buf.toString('utf8', start, end) + ']');
    } catch {
      return null;
    }
    return checkRows(value);
  }

  private parseRows(text: string): JsonRow[] {
    let value: unknown;
    try {
      value = this.parseJson(text);
    } catch {
      throw new NotStreamable('invalid JSON');
    }
    return checkRows(value);
  }
}

function checkRows(value: unknown): JsonRow[] {
  const rows = value as unknown[];
  for (let i = 0; i < rows.length; i++) {
    if (!isRow(rows[i])) {
      throw new NotStreamable('an element is not an object');
    }
  }
  return rows as JsonRow[];
}

function skipSpace(buf: Buffer, from: number): number {
  let i = from;
  while (i < buf.length && isJsonSpace(buf[i])) {
    i++;
  }
  return i;
}

/**
 * Index just after the last top-level object that closes in `buf`, scanning from a
 * boundary between elements; -1 when none does yet. Only strings, escapes and nesting are
 * tracked: the parse of the segment checks everything else.
 */
function lastElementEnd(buf: Buffer, from: number): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let last = -1;
  for (let i = from; i < buf.length; i++) {
    const b = buf[i];
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (b === BACKSLASH) {
        escaped = true;
      } else if (b === QUOTE) {
        inString = false;
      }
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      depth++;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      depth--;
      if (depth === 0 && b === CLOSE_BRACE) {
        last = i + 1;
      } else if (depth < 0) {
        break;
      } // the array's own `]`
    }
  }
  return last;
}
