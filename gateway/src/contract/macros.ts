/**
 * The SQL-mode macros, described once: the gateway expands exactly these (anything
 * else starting with `$__` is an error naming it), and the plugin's SQL editor offers
 * them with these docs. Semantics follow Grafana's PostgreSQL data source; the
 * `timeBucket*` and `interval_pg` ones are this project's TimescaleDB additions.
 */
export interface MacroDoc {
  name: string;
  /** Argument list as written in SQL, empty for constants. */
  args: string;
  doc: string;
  /** Whether it is called with parentheses (`$__timeFrom()`) or used bare (`$__interval`). */
  call: boolean;
}

/**
 * Grafana's fill of `$__timeGroup(col, interval, fill)`: the SQL stage parses it from the
 * macro, the frames stage applies it to the result (NULL, the previous value or a number).
 */
export interface MacroFill {
  mode: 'null' | 'previous' | 'value';
  value?: number;
  /** The group interval, milliseconds. */
  intervalMs: number;
}

export const MACROS: readonly MacroDoc[] = [
  { name: '$__time', args: 'column', call: true, doc: 'Renames the column to `time`: `column AS "time"`.' },
  { name: '$__timeEpoch', args: 'column', call: true, doc: 'The column as Unix epoch seconds, named `time`.' },
  {
    name: '$__timeFilter',
    args: 'column',
    call: true,
    doc: '`column BETWEEN <from> AND <to>` for the dashboard range (inclusive, timestamptz).',
  },
  { name: '$__timeFrom', args: '', call: true, doc: 'Start of the dashboard range as a timestamptz literal.' },
  { name: '$__timeTo', args: '', call: true, doc: 'End of the dashboard range as a timestamptz literal.' },
  {
    name: '$__timeGroup',
    args: 'column, interval[, fill]',
    call: true,
    doc: 'Floors the column to the interval (epoch-aligned). Fill: NULL, a number or previous — missing buckets are added to the result.',
  },
  { name: '$__timeGroupAlias', args: 'column, interval[, fill]', call: true, doc: 'Like $__timeGroup, named `time`.' },
  {
    name: '$__unixEpochFilter',
    args: 'column',
    call: true,
    doc: 'For a column of epoch seconds: `column >= <from> AND column <= <to>`.',
  },
  { name: '$__unixEpochFrom', args: '', call: true, doc: 'Start of the range as epoch seconds.' },
  { name: '$__unixEpochTo', args: '', call: true, doc: 'End of the range as epoch seconds.' },
  {
    name: '$__unixEpochNanoFilter',
    args: 'column',
    call: true,
    doc: 'For a column of epoch nanoseconds: `column >= <from> AND column <= <to>`.',
  },
  { name: '$__unixEpochNanoFrom', args: '', call: true, doc: 'Start of the range as epoch nanoseconds.' },
  { name: '$__unixEpochNanoTo', args: '', call: true, doc: 'End of the range as epoch nanoseconds.' },
  {
    name: '$__unixEpochGroup',
    args: 'column, interval[, fill]',
    call: true,
    doc: 'Groups a column of epoch seconds by the interval.',
  },
  {
    name: '$__unixEpochGroupAlias',
    args: 'column, interval[, fill]',
    call: true,
    doc: 'Like $__unixEpochGroup, named `time`.',
  },
  {
    name: '$__timeBucket',
    args: 'column[, interval]',
    call: true,
    doc: 'TimescaleDB `time_bucket` (date_bin on plain PostgreSQL) with the panel interval by default, in the request time zone.',
  },
  {
    name: '$__timeBucketGapfill',
    args: 'column[, interval]',
    call: true,
    doc: 'TimescaleDB `time_bucket_gapfill` over the dashboard range; use with locf() / interpolate().',
  },
  { name: '$__interval', args: '', call: false, doc: 'The panel interval in Grafana notation, e.g. `1m`, `500ms`.' },
  { name: '$__interval_ms', args: '', call: false, doc: 'The panel interval in milliseconds.' },
  {
    name: '$__adHocFilters',
    args: '',
    call: false,
    doc: "The dashboard's ad hoc filters as conditions joined by AND, `TRUE` when there are none: `WHERE $__timeFilter(time) AND $__adHocFilters`. Keys are column names; values are bound parameters. SQL without it is not filtered.",
  },
  {
    name: '$__interval_pg',
    args: '',
    call: false,
    doc: "The panel interval as a PostgreSQL interval literal, e.g. `'60 seconds'::interval`.",
  },
];
