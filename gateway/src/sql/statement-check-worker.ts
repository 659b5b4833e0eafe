import { parentPort } from 'node:worker_threads';
import { ApiError } from '../errors';
import { loadSqlParser } from '../pg/parse-sql';
import { checkReadOnlyStatement } from './read-only-statement';
import type { CheckReply, CheckRequest } from './statement-check-messages';

/** The worker thread of statement-check-thread.ts: parses and checks one statement per message. */
await loadSqlParser();
parentPort!.on('message', ({ id, sql }: CheckRequest) => {
  let reply: CheckReply;
  try {
    reply = { id, checked: checkReadOnlyStatement(sql) };
  } catch (err) {
    reply =
      err instanceof ApiError
        ? { id, refused: { code: err.code, message: err.message, details: err.details } }
        : { id, failed: (err as Error)?.message ?? String(err) };
  }
  parentPort!.postMessage(reply);
});
