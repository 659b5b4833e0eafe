import { Type, type Static } from 'typebox';
import { ERROR_CODES, ERROR_CODE_NAMES, type ErrorCode as CatalogueCode } from './error-codes';

/**
 * The codes of the catalogue as one union; each literal carries its status (`x-http-status`)
 * and meaning, so `/openapi.json` lists every code with its status.
 */
export const ErrorCode = Type.Unsafe<CatalogueCode>(
  Type.Union(
    ERROR_CODE_NAMES.map((code) =>
      Type.Literal(code, { description: ERROR_CODES[code].meaning, 'x-http-status': ERROR_CODES[code].status })
    ),
    { description: 'Stable machine-readable code; its HTTP status is fixed by the code' }
  )
);
// Unsafe: TypeBox reads a union's members as a tuple, and the catalogue's keys are not one.
export type ErrorCode = Static<typeof ErrorCode>;

/** Every non-2xx answer of the gateway has this body. `error` is a stable machine code. */
export const ErrorBody = Type.Object(
  {
    error: ErrorCode,
    message: Type.String({ description: 'What went wrong, for a person' }),
    details: Type.Optional(Type.Unknown({ description: 'Structured context: offending row, column, position…' })),
  },
  { $id: 'ErrorBody' }
);
export type ErrorBody = Static<typeof ErrorBody>;
