import type { BuilderQuery } from '../contract/query';
import { buildBuilderQuery, type BuiltQuery } from './builder';
import type { BuilderContext } from './builder-context';
import { quoteIdent } from '../pg/quote';
import { SqlModeParams } from './sql-mode-params';

/**
 * A builder query rendered without running it: the statement the builder runs with its bound
 * parameters, and the same statement as SQL-mode text. Both come from the one builder; only the
 * way values are written differs (see sql-mode-params.ts). The SQL-mode text names its columns
 * as the builder's frames do (the builder renames its internal aliases afterwards), so the text,
 * run in SQL mode, gives the same frames.
 */
export interface RenderedBuilderQuery {
  built: BuiltQuery;
  sqlModeText: string;
}

export function renderBuilderQuery(q: BuilderQuery, ctx: BuilderContext): RenderedBuilderQuery {
  const built = buildBuilderQuery(q, ctx);
  // Not routed to a continuous aggregate: a route is chosen for this range (its edges are
  // cagg-bucket-aligned times), while the SQL-mode text must follow the dashboard's range. The
  // raw-table statement gives the same answer (cagg-routing.ts), for every range.
  const text = buildBuilderQuery(q, { ...ctx, continuousAggregates: undefined }, new SqlModeParams());
  return { built, sqlModeText: withDisplayNames(text.sql, text.rename) };
}

/**
 * Only the output columns, under their frame names; the builder's helper columns (`__n`) stay
 * inside. The wrapped statement's order is kept: SQL mode itself runs statements wrapped.
 */
function withDisplayNames(sql: string, rename: ReadonlyMap<string, string>): string {
  const columns = [...rename].map(([alias, name]) =>
    alias === name ? quoteIdent(alias) : `${quoteIdent(alias)} AS ${quoteIdent(name)}`
  );
  return `SELECT ${columns.join(', ')}\nFROM (\n  ${sql}\n) AS "builder"`;
}
