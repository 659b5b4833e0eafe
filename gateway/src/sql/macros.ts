import { ApiError } from '../errors';
import { MACROS, type MacroFill } from '../contract/macros';
import type { ErrorCode } from '../contract/error-codes';
import { type Dialect, bucketSql, gapfillBucketSql, intervalSql } from './bucket-sql';
import {
  type BucketInterval,
  durationSeconds,
  formatBucket,
  formatGoFloat,
  formatGrafanaInterval,
  parseBucketInterval,
  parseGrafanaInterval,
} from '../time/interval';
import { type TimeRangeMs, formatRfc3339Nano, unixNanos, unixSeconds } from '../time/time-range';
import { MAX_INTERVALS_PER_RANGE, rowCapOf } from '../limits/bounds';
import { bucketCount } from './bucket-count';
import type { AdHocFilter } from '../contract/query';
import type { Params } from './builder-context';
import { adhocFiltersSql } from './filters';

/**
 * Expands the SQL-mode macros with the semantics of Grafana's PostgreSQL data source
 * (same text for the same input), plus the TimescaleDB ones of this gateway. Anything else
 * spelled `$__name` is refused with a 400 naming it and its position, instead of reaching the
 * database as a confusing syntax error.
 */

export interface MacroContext {
  range: TimeRangeMs;
  /** The panel interval ($__interval), milliseconds. */
  intervalMs: number;
  /** IANA zone for day-or-longer `$__timeBucket` buckets. */
  timeZone: string;
  dialect: Dialect;
  /** "now" for Grafana's calendar intervals (`1M` = the length of the month starting now). */
  now?: Date;
  /**
   * The row cap (MAX_ROW_LIMIT): `$__timeBucketGapfill` makes a row for every bucket of the
   * range, so it may not cut the range into more buckets than this. Default DEFAULT_ROW_CAP.
   * Not part of the request's shared context: the SQL-mode runner sets it from its result
   * limits, the same cap that wraps the statement.
   */
  maxRows?: number;
  /** The query's ad hoc filters and where their values are bound, for `$__adHocFilters`. */
  adhoc?: { filters?: readonly AdHocFilter[]; params: Params };
}

export interface MacroExpansion {
  sql: string;
  fill?: MacroFill;
  /** Names of the macros that were expanded, in order (for metrics and tests). */
  used: string[];
}

const KNOWN = new Map(MACROS.map((m) => [m.name, m]));
const NAME_AT = /\$([_a-zA-Z0-9]+)/y;

export function expandMacros(sql: string, ctx: MacroContext): MacroExpansion {
  let out = '';
  let last = 0;
  let fill: MacroFill | undefined;
  const used: string[] = [];
  let i = sql.indexOf('$__');
  while (i !== -1) {
    NAME_AT.lastIndex = i;
    const m = NAME_AT.exec(sql)!;
    const name = `$${m[1]}`;
    const doc = KNOWN.get(name);
    if (!doc) {
      throw macroError(sql, i, name, `Unknown macro ${name}`, 'unknown_macro');
    }
    let end = i + m[0].length;
    let args: string[] | null = null;
    if (doc.call && sql[end] === '(') {
      const parsed = readArguments(sql, end, name, i);
      args = parsed.args;
      end = parsed.end;
    }
    if (doc.call && args === null && doc.args !== '') {
      throw macroError(sql, i, name, `Macro ${name} needs arguments: ${name}(${doc.args})`, 'invalid_macro_argument');
    }
    // Grafana before 5.3 let `$__timeGroup(...)` directly followed by a comma add the alias.
    const effective = name === '$__timeGroup' && sql[end] === ',' ? '$__timeGroupAlias' : name;
    const result = evaluate(effective, args ?? [], ctx, (message) =>
      macroError(sql, i, name, message, 'invalid_macro_argument')
    );
    if (result.fill) {
      fill = result.fill;
    }
    used.push(name);
    out += sql.slice(last, i) + result.sql;
    last = end;
    i = sql.indexOf('$__', end);
  }
  out += sql.slice(last);
  return { sql: out, fill, used };
}

function readArguments(sql: string, open: number, name: string, at: number): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (let j = open + 1; j < sql.length; j++) {
    const c = sql[j];
    if (c === "'" || c === '"') {
      const close = skipQuoted(sql, j, c);
      if (close === -1) {
        break;
      }
      current += sql.slice(j, close + 1);
      j = close;
      continue;
    }
    if (c === '(') {
      depth++;
    } else if (c === ')') {
      if (depth === 0) {
        args.push(current.trim());
        return { args: args.length === 1 && args[0] === '' ? [] : args, end: j + 1 };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  throw macroError(sql, at, name, `Macro ${name} has no closing parenthesis`, 'invalid_macro_argument');
}

/** Index of the quote closing the one at `start` ('' and "" are escapes), or -1. */
function skipQuoted(sql: string, start: number, q: string): number {
  for (let j = start + 1; j < sql.length; j++) {
    if (sql[j] === q) {
      if (sql[j + 1] === q) {
        j++;
        continue;
      }
      return j;
    }
  }
  return -1;
}

function macroError(sql: string, offset: number, name: string, message: string, code: ErrorCode): ApiError {
  const before = sql.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return new ApiError(code, `${message} (line ${line}, column ${column})`, {
    macro: name,
    position: offset,
    line,
    column,
  });
}

interface Evaluated {
  sql: string;
  fill?: MacroFill;
}

function evaluate(name: string, args: string[], ctx: MacroContext, fail: (message: string) => ApiError): Evaluated {
  const column = () => {
    if (args.length !== 1 || args[0] === '') {
      throw fail(`Macro ${name} takes one argument, the time column`);
    }
    return args[0];
  };
  const none = () => {
    if (args.length !== 0) {
      throw fail(`Macro ${name} takes no arguments`);
    }
  };
  const { from, to } = ctx.range;
  switch (name) {
    case '$__time':
      return { sql: `${column()} AS "time"` };
    case '$__timeEpoch':
      return { sql: `extract(epoch from ${column()}) as "time"` };
    case '$__timeFilter':
      return { sql: `${column()} BETWEEN '${formatRfc3339Nano(from)}' AND '${formatRfc3339Nano(to)}'` };
    case '$__timeFrom':
      none();
      return { sql: `'${formatRfc3339Nano(from)}'` };
    case '$__timeTo':
      none();
      return { sql: `'${formatRfc3339Nano(to)}'` };
    case '$__unixEpochFilter': {
      const c = column();
      return { sql: `${c} >= ${unixSeconds(from)} AND ${c} <= ${unixSeconds(to)}` };
    }
    case '$__unixEpochFrom':
      none();
      return { sql: String(unixSeconds(from)) };
    case '$__unixEpochTo':
      none();
      return { sql: String(unixSeconds(to)) };
    case '$__unixEpochNanoFilter': {
      const c = column();
      return { sql: `${c} >= ${unixNanos(from)} AND ${c} <= ${unixNanos(to)}` };
    }
    case '$__unixEpochNanoFrom':
      none();
      return { sql: unixNanos(from) };
    case '$__unixEpochNanoTo':
      none();
      return { sql: unixNanos(to) };
    case '$__timeGroup':
    case '$__timeGroupAlias':
    case '$__unixEpochGroup':
    case '$__unixEpochGroupAlias': {
      const g = groupArguments(name, args, ctx, fail);
      checkIntervalCount(name, args[1], (ctx.range.to - ctx.range.from) / g.intervalMs, MAX_INTERVALS_PER_RANGE, fail);
      const s = formatGoFloat(durationSeconds(g.intervalMs));
      const base = name.startsWith('$__timeGroup')
        ? `floor(extract(epoch from ${g.column})/${s})*${s}`
        : `floor((${g.column})/${s})*${s}`;
      return { sql: name.endsWith('Alias') ? `${base} AS "time"` : base, fill: g.fill };
    }
    case '$__timeBucket':
    case '$__timeBucketGapfill': {
      if (args.length < 1 || args.length > 2 || args[0] === '') {
        throw fail(`Macro ${name} takes the time column and an optional interval`);
      }
      const bucket = args.length === 2 ? parseMacroBucket(args[1], name, fail) : panelBucket(ctx.intervalMs);
      const intervalText = args.length === 2 ? args[1] : `${formatBucket(bucket)} (the panel interval)`;
      // Gap filling makes a row of every bucket; plain bucketing only of those with data.
      const max = name === '$__timeBucketGapfill' ? rowCapOf(ctx.maxRows) : MAX_INTERVALS_PER_RANGE;
      checkIntervalCount(name, intervalText, bucketCount(bucket, ctx.range, ctx.timeZone), max, fail);
      if (name === '$__timeBucket') {
        return { sql: bucketSql({ dialect: ctx.dialect, bucket, column: args[0], timeZone: ctx.timeZone }) };
      }
      if (ctx.dialect !== 'timescaledb') {
        throw new ApiError(
          'timescaledb_required',
          `Macro ${name} needs TimescaleDB (time_bucket_gapfill), which this database does not have; use $__timeBucket or $__timeGroup(column, interval, fill) instead`,
          { macro: name }
        );
      }
      return {
        sql: gapfillBucketSql({
          dialect: ctx.dialect,
          bucket,
          column: args[0],
          timeZone: ctx.timeZone,
          start: `'${formatRfc3339Nano(from)}'::timestamptz`,
          finish: `'${formatRfc3339Nano(to)}'::timestamptz`,
        }),
      };
    }
    case '$__interval':
      return { sql: formatGrafanaInterval(ctx.intervalMs) };
    case '$__interval_ms':
      return { sql: String(Math.trunc(ctx.intervalMs)) };
    case '$__adHocFilters':
      none();
      return { sql: ctx.adhoc ? adhocFiltersSql(ctx.adhoc.filters, ctx.adhoc.params) : 'TRUE' };
    case '$__interval_pg':
      return { sql: intervalSql(panelBucket(ctx.intervalMs)) };
    /* c8 ignore next 2 */
    default:
      throw fail(`Unknown macro ${name}`);
  }
}

/**
 * Refuses an interval that cuts the range into more than `max` pieces: for gap filling, more
 * rows than a result may hold; otherwise an interval no panel can mean (`1us` over a century).
 */
function checkIntervalCount(
  name: string,
  interval: string,
  count: number,
  max: number,
  fail: (message: string) => ApiError
): void {
  if (!(count <= max)) {
    const what = max < MAX_INTERVALS_PER_RANGE ? `the row limit ${max}` : `${max}`;
    throw fail(
      `Macro ${name}: the interval ${interval} cuts the time range into ${Math.ceil(count)} buckets, more than ${what}; use a wider interval or a shorter range`
    );
  }
}

function groupArguments(name: string, args: string[], ctx: MacroContext, fail: (message: string) => ApiError) {
  if (args.length < 2 || args.length > 3 || args[0] === '') {
    throw fail(`Macro ${name} needs the time column, an interval and an optional fill value`);
  }
  const raw = args[1].replace(/^'+|'+$/g, '');
  const intervalMs = parseGrafanaInterval(raw, ctx.now);
  if (intervalMs === null) {
    throw fail(`Macro ${name}: error parsing interval ${args[1]}`);
  }
  if (!(intervalMs > 0)) {
    throw fail(`Macro ${name}: the interval ${args[1]} must be positive`);
  }
  let fill: MacroFill | undefined;
  if (args.length === 3) {
    fill = parseFill(args[2], intervalMs, name, fail);
  }
  return { column: args[0], intervalMs, fill };
}

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseFill(text: string, intervalMs: number, name: string, fail: (message: string) => ApiError): MacroFill {
  if (text.toUpperCase() === 'NULL') {
    return { mode: 'null', intervalMs };
  }
  if (text === 'previous') {
    return { mode: 'previous', intervalMs };
  }
  if (FLOAT.test(text) && Number.isFinite(Number(text))) {
    return { mode: 'value', value: Number(text), intervalMs };
  }
  throw fail(`Macro ${name}: error parsing fill value ${text} (use NULL, previous or a number)`);
}

function parseMacroBucket(text: string, name: string, fail: (message: string) => ApiError): BucketInterval {
  try {
    return parseBucketInterval(text, `interval of ${name}`);
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err));
  }
}

/** The panel interval as a bucket; whole milliseconds, at least 1 ms. */
export function panelBucket(intervalMs: number): BucketInterval {
  return { months: 0, ms: Math.max(1, Math.round(intervalMs)) };
}
