import { Type, type Static } from 'typebox';

/** Every non-2xx answer of the gateway has this body. `error` is a stable machine code. */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'Stable machine-readable code, e.g. unknown_column' }),
    message: Type.String({ description: 'What went wrong, for a person' }),
    details: Type.Optional(Type.Unknown({ description: 'Structured context: offending row, column, position…' })),
  },
  { $id: 'ErrorBody' }
);
export type ErrorBody = Static<typeof ErrorBody>;
