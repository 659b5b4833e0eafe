/**
 * The gateway's one error type. Anything thrown as an ApiError reaches the client as
 * `{ error: code, message, details }` with `statusCode`; the error handler plugin also
 * maps PostgreSQL SQLSTATEs (unique violation → 409, timeout → 504, …) onto it.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static badRequest(code: string, message: string, details?: unknown): ApiError {
    return new ApiError(400, code, message, details);
  }

  static notFound(code: string, message: string, details?: unknown): ApiError {
    return new ApiError(404, code, message, details);
  }
}
