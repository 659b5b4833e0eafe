/**
 * Every code the gateway answers a failure with (`ErrorBody.error`, `QueryResult.errorCode`),
 * each with its one HTTP status and what it means. The status belongs to the code: a failure
 * that needs another status is another code. Grouped in bands like PostgREST's Error.hs: the
 * request, the catalog, the query, SQL mode, writes, limits, the database, the gateway itself.
 * The plugin imports this file at run time to match on codes, so it imports nothing (no
 * TypeBox in the plugin's bundle); the TypeBox union is built from it in errors.ts.
 */
export const ERROR_CODES = {
  // The request itself: HTTP, URL, body, parameters.
  bad_request: { status: 400, meaning: 'The request is not valid HTTP, or Fastify refused it before a route ran' },
  bad_url: { status: 400, meaning: 'The URL path is not valid percent-encoding' },
  uri_too_long: { status: 414, meaning: 'A path segment of the URL is over the length limit' },
  headers_too_large: { status: 431, meaning: 'The request line and headers are over the size limit' },
  request_timeout: { status: 408, meaning: 'The request was not received in time' },
  not_found: { status: 404, meaning: 'No route answers this method and path' },
  not_acceptable: { status: 406, meaning: 'The Accept header asks for a format the route does not serve' },
  unsupported_media_type: { status: 415, meaning: 'The Content-Type of the body is not one the route reads' },
  body_too_large: { status: 413, meaning: 'The request body is over the body limit' },
  empty_body: { status: 400, meaning: 'The request body is empty or holds no rows' },
  malformed_body: { status: 400, meaning: 'The body does not parse as what its Content-Type says' },
  incomplete_body: { status: 400, meaning: 'The request body ended before it was complete' },
  invalid_request: { status: 400, meaning: 'The request does not match its schema (the field is named)' },
  invalid_limit: { status: 400, meaning: 'The "limit" parameter is not a whole number in range' },
  invalid_offset: { status: 400, meaning: 'The "offset" parameter is not a whole number in range' },

  // Who asks.
  unauthorized: { status: 401, meaning: 'No bearer token, or one the gateway does not know' },
  forbidden: { status: 403, meaning: 'The token lacks the scope or table, or the database role may not read it' },

  // The catalog: names checked before any SQL is built.
  unknown_table: { status: 404, meaning: 'No table, view or aggregate of that name (or the token may not see it)' },
  unknown_column: { status: 400, meaning: 'The table (or the query output) has no column of that name' },
  unknown_publication: { status: 404, meaning: 'No publication of that name' },
  not_writable: { status: 400, meaning: 'The relation is a view or aggregate and cannot take rows' },
  not_a_table: { status: 400, meaning: 'The relation is not a table or hypertable' },

  // A panel query: range, builder, macros, shaping.
  too_many_queries: { status: 400, meaning: 'The request holds more queries than allowed' },
  duplicate_ref_id: { status: 400, meaning: 'Two queries of one request share a refId' },
  invalid_query: { status: 400, meaning: 'The query is not one the gateway can build or run' },
  invalid_range: { status: 400, meaning: 'A time range bound is not a time, is out of range, or from is after to' },
  invalid_timezone: { status: 400, meaning: 'The time zone is not an IANA zone' },
  invalid_interval: { status: 400, meaning: 'An interval or bucket width does not parse or is out of range' },
  invalid_bucket: { status: 400, meaning: 'The "bucket" parameter is missing, does not parse, or does not apply' },
  no_time_column: { status: 400, meaning: 'A time filter or time series needs a time column and there is none' },
  invalid_time_column: { status: 400, meaning: 'The time column is not a timestamp, date or number' },
  invalid_value_column: { status: 400, meaning: 'A time-series value column is not numeric' },
  invalid_aggregation: { status: 400, meaning: 'The aggregation is unknown or does not apply to the column' },
  duplicate_name: { status: 400, meaning: 'Two outputs of a query have the same name' },
  invalid_filter: { status: 400, meaning: 'A builder filter has a value its operator or column cannot take' },
  invalid_adhoc_filter: { status: 400, meaning: 'An ad hoc filter uses an operator the gateway does not apply' },
  invalid_operator: { status: 400, meaning: 'A REST filter is not <op>.<value> with a known operator' },
  invalid_value: { status: 400, meaning: 'A value does not fit its column or parameter' },
  unknown_macro: { status: 400, meaning: 'The SQL names a $__ macro that does not exist' },
  invalid_macro_argument: { status: 400, meaning: 'A macro has the wrong arguments' },
  timescaledb_required: { status: 400, meaning: 'The macro needs TimescaleDB, which this database does not have' },
  null_time_values: { status: 400, meaning: 'A long series has rows without a time and cannot be made wide' },
  series_unsorted: { status: 400, meaning: 'A long series is not sorted by time and cannot be made wide' },
  no_live_queries: { status: 400, meaning: 'Every query of the live stream is hidden' },

  // SQL mode.
  empty_sql: { status: 400, meaning: 'rawSql holds no statement' },
  sql_too_long: { status: 400, meaning: 'The statement is longer than SQL mode takes' },
  invalid_sql: { status: 400, meaning: 'The statement does not parse' },
  multiple_statements: { status: 400, meaning: 'SQL mode runs exactly one statement' },
  statement_not_allowed: { status: 400, meaning: 'The statement is not a reading one' },
  function_not_allowed: { status: 400, meaning: 'The statement calls a volatile function SQL mode refuses' },
  not_supported: { status: 400, meaning: 'The database or SQL mode does not support what was asked' },
  read_only: { status: 403, meaning: 'The statement tried to write in a read-only transaction' },
  sql_mode_unavailable: { status: 503, meaning: 'SQL mode cannot reach its reader login' },

  // Limits: valid requests whose answer or cost is too large.
  result_too_large: { status: 422, meaning: 'The result has more rows or bytes than the gateway serves' },
  query_too_expensive: { status: 422, meaning: 'The planner estimates more cost or rows than allowed' },
  limit_exceeded: {
    status: 400,
    meaning: 'The request asks for more than the database server can take (SQLSTATE class 54)',
  },
  rate_limited: { status: 429, meaning: 'Too many requests from this client in the window' },
  too_many_streams: { status: 429, meaning: 'The token has as many live streams open as it may' },

  // The database's own refusals (SQLSTATE map in db/sqlstate.ts).
  conflict: { status: 409, meaning: 'A row with that key exists (unique violation)' },
  constraint_violation: { status: 400, meaning: 'A row breaks a constraint (not null, check, foreign key)' },
  statement_timeout: { status: 504, meaning: 'The statement took longer than the statement timeout' },
  database_error: { status: 500, meaning: 'The database failed in a way the gateway does not map' },
  database_unavailable: { status: 503, meaning: 'The database is unreachable, starting or shutting down' },

  // The gateway itself.
  client_closed_request: { status: 499, meaning: 'The client went away; its statement was cancelled' },
  overloaded: { status: 503, meaning: 'The gateway sheds load (event loop or memory pressure)' },
  live_streams_exhausted: { status: 503, meaning: 'The gateway serves as many live streams as it may' },
  shutting_down: { status: 503, meaning: 'The gateway is shutting down' },
  internal_error: { status: 500, meaning: 'A bug in the gateway' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes in catalogue order. */
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as ErrorCode[];

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);

export const statusOf = (code: ErrorCode): number => ERROR_CODES[code].status;
