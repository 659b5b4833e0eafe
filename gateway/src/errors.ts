import { statusOf, type ErrorCode } from './contract/error-codes';

/**
 * The gateway's one error type. Anything thrown as an ApiError reaches the client as
 * `{ error: code, message, details }`; the HTTP status is the code's, from the contract's
 * catalogue (contract/error-codes.ts), so a code cannot be sent with two statuses. The error
 * handler plugin maps PostgreSQL SQLSTATEs onto it too (db/sqlstate.ts).
 */
export class ApiError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown
  ) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusOf(code);
  }
}
