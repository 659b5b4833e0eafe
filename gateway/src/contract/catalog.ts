import { Type, type Static } from 'typebox';

/** What kind of relation a catalog entry is; hypertables and continuous aggregates are told apart from plain tables/views. */
export const RelationKind = Type.Union([
  Type.Literal('table'),
  Type.Literal('view'),
  Type.Literal('materialized_view'),
  Type.Literal('foreign_table'),
  Type.Literal('hypertable'),
  Type.Literal('continuous_aggregate'),
]);
export type RelationKind = Static<typeof RelationKind>;

/** Coarse family of a PostgreSQL type, used for value coercion and for the editors; why it is not FieldType: see query.ts. */
export const ColumnKind = Type.Union([
  Type.Literal('time'),
  Type.Literal('number'),
  Type.Literal('string'),
  Type.Literal('boolean'),
  Type.Literal('json'),
  Type.Literal('other'),
]);
export type ColumnKind = Static<typeof ColumnKind>;

export const CatalogColumn = Type.Object({
  name: Type.String(),
  /** PostgreSQL type as format_type() prints it, e.g. "timestamp with time zone". */
  type: Type.String(),
  kind: ColumnKind,
  nullable: Type.Boolean(),
});
export type CatalogColumn = Static<typeof CatalogColumn>;

/** Where a foreign table's rows live: the server, its wrapper, and the name on the remote side. */
export const ForeignTableInfo = Type.Object({
  server: Type.String(),
  /** The foreign-data wrapper, e.g. "postgres_fdw". */
  wrapper: Type.String(),
  /** The remote schema (postgres_fdw: the local schema's name unless the table says otherwise); null when the wrapper has none. */
  remoteSchema: Type.Union([Type.String(), Type.Null()]),
  /** The remote table (postgres_fdw: the local name unless the table says otherwise); null when the wrapper names none. */
  remoteName: Type.Union([Type.String(), Type.Null()]),
});
export type ForeignTableInfo = Static<typeof ForeignTableInfo>;

export const CatalogTable = Type.Object({
  /** Name to use in URLs and queries: bare for the default schema (public), else "schema.name". */
  name: Type.String(),
  schema: Type.String(),
  kind: RelationKind,
  /** The hypertable's time dimension, or the first time-typed column; null when there is none. */
  timeColumn: Type.Union([Type.String(), Type.Null()]),
  hypertable: Type.Optional(
    Type.Object({
      chunkInterval: Type.Union([Type.String(), Type.Null()]),
      compression: Type.Boolean(),
    })
  ),
  continuousAggregate: Type.Optional(
    Type.Object({
      bucketWidth: Type.Union([Type.String(), Type.Null()]),
      source: Type.Union([Type.String(), Type.Null()]),
    })
  ),
  /** A foreign table: where its rows live. */
  foreignTable: Type.Optional(ForeignTableInfo),
  /** A view that reads foreign tables (directly or through other views): their catalog names. */
  foreignSources: Type.Optional(Type.Array(Type.String())),
});
export type CatalogTable = Static<typeof CatalogTable>;

export const CatalogResponse = Type.Object({ tables: Type.Array(CatalogTable) });
export type CatalogResponse = Static<typeof CatalogResponse>;

export const ColumnsResponse = Type.Object({
  table: Type.String(),
  timeColumn: Type.Union([Type.String(), Type.Null()]),
  columns: Type.Array(CatalogColumn),
});
export type ColumnsResponse = Static<typeof ColumnsResponse>;

/** Distinct values of one column, for template variables and ad hoc filter values. */
export const ValuesResponse = Type.Object({
  table: Type.String(),
  column: Type.String(),
  values: Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
});
export type ValuesResponse = Static<typeof ValuesResponse>;
