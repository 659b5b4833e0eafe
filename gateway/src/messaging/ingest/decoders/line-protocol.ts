import { DecodeError } from './decode-error';

/**
 * InfluxDB line protocol → points. Hand-written: the npm InfluxDB clients only write the
 * format, none parses it (checked in the registry list), and the grammar is small:
 *   measurement[,tag=value…] field=value[,field=value…] [timestamp]
 * with backslash escapes of `,` ` ` `=` in names, double-quoted string fields, `1i` / `1u`
 * integers, floats and t/true/f/false booleans. Lines starting with `#` are comments.
 */
export interface LinePoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number | string | boolean>;
  /** The timestamp's digits as sent (precision applied by the caller); null = none given. */
  timestamp: string | null;
}

export function parseLineProtocol(text: string): LinePoint[] {
  const points: LinePoint[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) {
      continue;
    }
    try {
      points.push(parseLine(line));
    } catch (err) {
      throw new DecodeError(`line protocol, line ${n + 1}: ${(err as Error).message}`);
    }
  }
  if (points.length === 0) {
    throw new DecodeError('line protocol: no points in the message');
  }
  return points;
}

class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  get done() {
    return this.pos >= this.s.length;
  }
  peek() {
    return this.s[this.pos];
  }
  /** Text up to an unescaped one of `stops`, unescaping `\x` for x in `escapable`. */
  until(stops: string, escapable: string): string {
    let out = '';
    while (!this.done) {
      const c = this.s[this.pos];
      if (c === '\\' && this.pos + 1 < this.s.length && escapable.includes(this.s[this.pos + 1])) {
        out += this.s[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (stops.includes(c)) {
        break;
      }
      out += c;
      this.pos++;
    }
    return out;
  }
}

function parseLine(line: string): LinePoint {
  const c = new Cursor(line);
  const measurement = c.until(', ', ', ');
  if (!measurement) {
    throw new Error('missing measurement');
  }
  const tags: Record<string, string> = {};
  while (c.peek() === ',') {
    c.pos++;
    const key = c.until('=', ',= ');
    if (c.peek() !== '=') {
      throw new Error(`tag "${key}" has no value`);
    }
    c.pos++;
    const value = c.until(', ', ',= ');
    if (!key || !value) {
      throw new Error('empty tag key or value');
    }
    tags[key] = value;
  }
  if (c.peek() !== ' ') {
    throw new Error('expected a space before the fields');
  }
  c.pos++;
  const fields: LinePoint['fields'] = {};
  for (;;) {
    const key = c.until('=', ',= ');
    if (!key || c.peek() !== '=') {
      throw new Error(`field "${key}" has no value`);
    }
    c.pos++;
    fields[key] = fieldValue(c);
    if (c.peek() === ',') {
      c.pos++;
      continue;
    }
    break;
  }
  let timestamp: string | null = null;
  if (c.peek() === ' ') {
    const rest = line.slice(c.pos + 1).trim();
    if (rest !== '') {
      if (!/^-?\d+$/.test(rest)) {
        throw new Error(`bad timestamp "${rest}"`);
      }
      timestamp = rest;
    }
  } else if (!c.done) {
    throw new Error(`unexpected "${c.peek()}" after the fields`);
  }
  return { measurement, tags, fields, timestamp };
}

function fieldValue(c: Cursor): number | string | boolean {
  if (c.peek() === '"') {
    c.pos++;
    let out = '';
    while (!c.done && c.peek() !== '"') {
      if (c.peek() === '\\' && (c.s[c.pos + 1] === '"' || c.s[c.pos + 1] === '\\')) {
        c.pos++;
      }
      out += c.s[c.pos++];
    }
    if (c.done) {
      throw new Error('unterminated string field');
    }
    c.pos++;
    return out;
  }
  const raw = c.until(', ', '');
  if (/^[-+]?\d+[iu]$/.test(raw)) {
    const digits = raw.slice(0, -1);
    const n = Number(digits);
    return Number.isSafeInteger(n) ? n : digits;
  }
  if (/^(t|T|true|True|TRUE)$/.test(raw)) {
    return true;
  }
  if (/^(f|F|false|False|FALSE)$/.test(raw)) {
    return false;
  }
  const n = Number(raw);
  if (raw === '' || !Number.isFinite(n)) {
    throw new Error(`bad field value "${raw}"`);
  }
  return n;
}
