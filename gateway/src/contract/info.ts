import { Type, type Static } from 'typebox';

export const Scope = Type.Union([
  Type.Literal('read'),
  Type.Literal('sql'),
  Type.Literal('write'),
  Type.Literal('admin'),
]);
export type Scope = Static<typeof Scope>;

/** `GET /api/v1/info`: what the data source's "Save & test" reports. */
export const InfoResponse = Type.Object({
  gateway: Type.Object({ version: Type.String() }),
  database: Type.Object({
    driver: Type.Union([Type.Literal('postgres'), Type.Literal('embedded')]),
    postgresVersion: Type.String(),
    timescaledb: Type.Union([
      Type.Object({ version: Type.String(), license: Type.Union([Type.String(), Type.Null()]) }),
      Type.Null(),
    ]),
  }),
  token: Type.Object({
    name: Type.String(),
    scopes: Type.Array(Scope),
    /** Present when the token may only see these tables. */
    tables: Type.Optional(Type.Array(Type.String())),
  }),
});
export type InfoResponse = Static<typeof InfoResponse>;
