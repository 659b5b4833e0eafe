import type { Worker } from 'node:worker_threads';
import { ApiError } from '../errors';
import { startWorkerScript } from '../worker-script';
import { loadSqlParser, MAX_SQL_CHARACTERS } from '../pg/parse-sql';
import { checkReadOnlyStatement, type CheckedStatement } from './read-only-statement';
import type { CheckReply } from './statement-check-messages';

/**
 * Statements longer than this are parsed and checked on a worker thread, shorter ones on the
 * event loop. The parse costs by node count, up to ~8 µs a character for a statement of tiny
 * expressions (`SELECT 1,1,1,…`: 42,000 characters took ~350 ms, parse-sql.ts), so 4,096
 * characters hold the event loop for at most ~35 ms, while the statements dashboards send
 * (a few hundred characters, ~1 ms) skip the hop to the thread and back.
 */
export const IN_PROCESS_CHARACTERS = 4096;

/**
 * One worker thread (statement-check-worker.ts), started on the first long statement and kept;
 * it holds the process open only while a check is pending. Requests queue in its port and are answered in
 * order. Hand-written rather than a pool library: one thread, one message type, and the same
 * start path as the embedded database's worker (worker-script.ts) so it runs from the sources
 * under tsx too. A worker that dies fails what it held; the next long statement starts another.
 */
class StatementCheckThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (c: CheckedStatement) => void; reject: (e: Error) => void }>();

  check(sql: string): Promise<CheckedStatement> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Held while it has work (an awaited check keeps the process alive), let go when idle.
      if (this.pending.size === 0) {
        worker.ref();
      }
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, sql });
    });
  }

  private start(): Worker {
    const worker = startWorkerScript(import.meta.url, 'statement-check-worker');
    worker.on('message', (reply: CheckReply) => this.answer(reply));
    const lost = (why: string) => {
      if (this.worker !== worker) {
        return;
      }
      this.worker = null;
      for (const { reject } of this.pending.values()) {
        reject(new Error(`The SQL check thread ended: ${why}`));
      }
      this.pending.clear();
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private answer(reply: CheckReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) {
      return;
    }
    this.pending.delete(reply.id);
    if (this.pending.size === 0) {
      this.worker?.unref();
    }
    if ('checked' in reply) {
      waiting.resolve(reply.checked);
    } else if ('refused' in reply) {
      waiting.reject(new ApiError(reply.refused.code, reply.refused.message, reply.refused.details));
    } else {
      waiting.reject(new Error(reply.failed));
    }
  }
}

const thread = new StatementCheckThread();

/**
 * checkReadOnlyStatement without holding the event loop for long: on it for short statements,
 * on the check thread for long ones. Same answers and the same errors either way.
 */
export async function checkStatement(sql: string): Promise<CheckedStatement> {
  // Over the limit: refused at once, before any parse.
  if (sql.length <= IN_PROCESS_CHARACTERS || sql.length > MAX_SQL_CHARACTERS) {
    await loadSqlParser();
    return checkReadOnlyStatement(sql);
  }
  return thread.check(sql);
}
