import { defaultBuilderFields, type BuilderFields, type TsBuilderQuery } from 'types/query';

const BUILDER_KEYS = ['table', 'timeColumn', 'metrics', 'groupBy', 'filters', 'bucket', 'fill', 'orderBy', 'limit', 'noPointCap', 'continuousAggregates'] as const;

/** The builder part of a query, without Grafana's own fields (refId, datasource, hide…). */
export const pickBuilderFields = (query: Partial<TsBuilderQuery>): BuilderFields => {
  const fields: Record<string, unknown> = { ...defaultBuilderFields };
  for (const key of BUILDER_KEYS) {
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
