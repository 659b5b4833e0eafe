import { defaultBuilderFields, type BuilderFields, type TsBuilderQuery } from 'types/query';

const BUILDER_KEYS = [
  'table',
  'timeColumn',
  'metrics',
  'groupBy',
  'filters',
  'bucket',
  'fill',
  'orderBy',
  'limit',
  'noPointCap',
  'continuousAggregates',
] as const;
// Edited in the builder but kept when the query becomes SQL: the cost guard's bypass applies to both modes.
const SHARED_KEYS = ['allowExpensive'] as const;

/** The builder part of a query, without Grafana's own fields (refId, datasource, hide…). */
export const pickBuilderFields = (query: Partial<TsBuilderQuery>): BuilderFields => {
  const fields: Record<string, unknown> = { ...defaultBuilderFields };
  for (const key of [...BUILDER_KEYS, ...SHARED_KEYS]) {
    if (query[key] !== undefined) {
      fields[key] = query[key];
    }
  }
  return fields as BuilderFields;
};

/** Drops the builder keys, e.g. when a query becomes SQL. */
export const omitBuilderFields = <T extends object>(query: T): T => {
  const rest: Record<string, unknown> = { ...(query as Record<string, unknown>) };
  BUILDER_KEYS.forEach((key) => delete rest[key]);
  return rest as T;
};

/** The query with the builder's fields replaced by `fields`: a key the builder dropped is gone, not kept from before. */
export const withBuilderFields = <T extends object>(query: T, fields: BuilderFields): T => {
  const rest = omitBuilderFields(query) as Record<string, unknown>;
  SHARED_KEYS.forEach((key) => delete rest[key]);
  return { ...rest, ...fields } as T;
};
