import type { DbSession } from '../db/types';
import { ApiError } from '../errors';
import type { FunctionCall } from '../sql/read-only-statement';

/**
 * Which functions a SQL-mode statement may call, decided from PostgreSQL's catalog: a function
 * the catalog marks VOLATILE may change something outside the statement's result (large objects,
 * advisory locks, sequences, settings, files, other backends, notifications, another server via
 * dblink, SQL run from text by query_to_xml / ts_stat …), so a call is refused when any function
 * of that name is volatile, unless it is allowed below or by SQL_ALLOWED_FUNCTIONS. Stable and
 * immutable functions (aggregates and window functions included) pass; unknown names are left
 * to the database's own error.
 *
 * Names resolve as PostgreSQL finds them, and when in doubt more strictly: a qualified name
 * (`pg_catalog.lo_from_bytea`) is looked up in its schema, an unqualified one in every schema of
 * the reader's search path (`current_schemas(true)`, pg_catalog included; whichever the argument
 * types pick, each candidate must pass); a name written as a column (`t.fn`, which PostgreSQL may
 * run as `fn(t)`) only counts for functions of one argument. Schemas off the path do not count:
 * TimescaleDB's `_timescaledb_internal.to_timestamp` is volatile, `to_timestamp()` is not it.
 * The catalog is read in the SQL-mode session itself (on the embedded database the only one).
 *
 * Lookups are cached per name and the search path per policy (bounded, for a minute, so a
 * function created later is seen). Cost
 * measured on this 2-core machine under load: a statement whose names are all cached adds
 * ~0.01 ms; a miss adds one catalog query for all missing names together, ~1–3 ms on PostgreSQL
 * and the embedded database.
 */

/**
 * Volatile functions that change nothing: the time, randomness, sleeping (bounded by the
 * statement timeout), sizes (read-only, privilege-checked), and TimescaleDB's gapfill markers
 * (volatile only so the planner keeps them) and UUIDv7 helpers. `schema.name` allows that
 * schema's function only; a bare name (TimescaleDB's, whose schema is the extension's) any.
 */
export const DEFAULT_ALLOWED_FUNCTIONS: readonly string[] = [
  'pg_catalog.random',
  'pg_catalog.random_normal',
  'pg_catalog.clock_timestamp',
  'pg_catalog.timeofday',
  'pg_catalog.gen_random_uuid',
  'pg_catalog.pg_sleep',
  'pg_catalog.pg_sleep_for',
  'pg_catalog.pg_sleep_until',
  'pg_catalog.pg_database_size',
  'pg_catalog.pg_tablespace_size',
  'pg_catalog.pg_relation_size',
  'pg_catalog.pg_table_size',
  'pg_catalog.pg_indexes_size',
  'pg_catalog.pg_total_relation_size',
  'time_bucket_gapfill',
  'locf',
  'interpolate',
  'hypertable_size',
  'hypertable_detailed_size',
  'hypertable_index_size',
  'chunks_detailed_size',
  'approximate_row_count',
  'generate_uuidv7',
  'to_uuidv7',
];

const CACHE_MAX_NAMES = 2048;
const CACHE_TTL_MS = 60_000;

/** Per schema: does it hold a volatile function of this name (of one argument)? */
interface Found {
  schema: string;
  volatile: boolean;
  volatileUnary: boolean;
}

interface Cached {
  found: Found[];
  at: number;
}

const SEARCH_PATH_SQL = 'SELECT current_schemas(true)::text[] AS schemas';

export interface FunctionPolicy {
  /** Throws a 400 naming the first function the statement may not call; `session`: the reader's, where it runs. */
  check(calls: readonly FunctionCall[], session: DbSession): Promise<void>;
}

export function createFunctionPolicy(extraAllowed: readonly string[] = []): FunctionPolicy {
  const allowed = new Set([...DEFAULT_ALLOWED_FUNCTIONS, ...extraAllowed]);
  // Insertion order is age: the oldest entry goes first when the cache is full.
  const cache = new Map<string, Cached>();
  let searchPath: { schemas: Set<string>; at: number } | null = null;

  const schemasOnPath = async (session: DbSession): Promise<Set<string>> => {
    if (searchPath && Date.now() - searchPath.at < CACHE_TTL_MS) {
      return searchPath.schemas;
    }
    const { rows } = await session.query<{ schemas: string[] }>(SEARCH_PATH_SQL);
    searchPath = { schemas: new Set(rows[0]?.schemas ?? ['pg_catalog']), at: Date.now() };
    return searchPath.schemas;
  };

  const lookUp = async (names: string[], catalog: DbSession): Promise<Map<string, Found[]>> => {
    const now = Date.now();
    const result = new Map<string, Found[]>();
    const missing: string[] = [];
    for (const name of names) {
      const hit = cache.get(name);
      if (hit && now - hit.at < CACHE_TTL_MS) {
        result.set(name, hit.found);
      } else {
        missing.push(name);
      }
    }
    if (missing.length === 0) {
      return result;
    }
    const { rows } = await catalog.query<{ name: string; schema: string; volatile: boolean; volatile_unary: boolean }>(
      `SELECT p.proname AS name, n.nspname AS schema,
              bool_or(p.provolatile = 'v') AS volatile, bool_or(p.provolatile = 'v' AND p.pronargs = 1) AS volatile_unary
         FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE p.proname = ANY($1::text[])
        GROUP BY 1, 2`,
      [missing]
    );
    for (const name of missing) {
      const found = rows
        .filter((r) => r.name === name)
        .map((r) => ({ schema: r.schema, volatile: r.volatile, volatileUnary: r.volatile_unary }));
      cache.delete(name);
      cache.set(name, { found, at: now });
      result.set(name, found);
    }
    while (cache.size > CACHE_MAX_NAMES) {
      cache.delete(cache.keys().next().value!);
    }
    return result;
  };

  return {
    async check(calls, session) {
      if (calls.length === 0) {
        return;
      }
      const found = await lookUp([...new Set(calls.map((c) => c.name))], session);
      const path = calls.some((c) => c.schema === undefined) ? await schemasOnPath(session) : null;
      for (const call of calls) {
        const refused = (found.get(call.name) ?? []).find(
          (f) =>
            (call.schema === undefined ? path!.has(f.schema) : f.schema === call.schema) &&
            (call.asColumn ? f.volatileUnary : f.volatile) &&
            !allowed.has(call.name) &&
            !allowed.has(`${f.schema}.${call.name}`)
        );
        if (refused) {
          throw notAllowed(call, refused.schema);
        }
      }
    },
  };
}

function notAllowed(call: FunctionCall, schema: string): ApiError {
  const qualified = `${schema}.${call.name}`;
  return new ApiError(
    'function_not_allowed',
    `SQL mode does not allow ${qualified}(): PostgreSQL marks it VOLATILE, so it may write or act on the server. ` +
      'Reading functions (stable or immutable) are allowed; a harmless volatile one can be allowed with SQL_ALLOWED_FUNCTIONS',
    { function: qualified, setting: 'SQL_ALLOWED_FUNCTIONS' }
  );
}
