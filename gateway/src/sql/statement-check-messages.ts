import type { ErrorCode } from '../contract/error-codes';
import type { CheckedStatement } from './read-only-statement';

/** What statement-check-thread.ts and its worker say to each other. */
export interface CheckRequest {
  id: number;
  sql: string;
}

export type CheckReply =
  | { id: number; checked: CheckedStatement }
  /** The statement is refused: the ApiError's parts (an error object does not cross threads whole). */
  | { id: number; refused: { code: ErrorCode; message: string; details?: unknown } }
  /** The check itself broke. */
  | { id: number; failed: string };
