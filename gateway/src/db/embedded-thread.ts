import type { Worker } from 'node:worker_threads';
import { startWorkerScript } from '../worker-script';
import {
  closedError,
  fromWireError,
  startFailedError,
  statementTimeoutError,
  transactionAbortedError,
  workerLostError,
  type WireResult,
  type WorkerMessage,
  type WorkerRequest,
  type WorkerStart,
} from './embedded-messages';

/**
 * One worker thread running PGlite (embedded-worker.ts), seen from the main thread: requests go
 * out one at a time, so a statement's timer starts when the worker can start it, not while it
 * waits behind another. A request given `killAfterMs` that has not answered by then ends the
 * worker: its caller gets SQLSTATE 57014, requests queued behind it 25P02. A worker never comes
 * back; the driver starts a new one.
 */

/** A request before it gets its id (Omit applied to each member of the union). */
type Request = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface Pending {
  request: WorkerRequest;
  killAfterMs: number;
  /** Aborting it ends the worker while this request runs (and drops it while it waits). */
  signal?: AbortSignal;
  resolve: (result: WireResult) => void;
  reject: (err: Error) => void;
}

/** 'timeout': a statement ran past its limit; 'cancelled': its caller aborted it; both end the worker on purpose. */
export type ThreadEnd = 'timeout' | 'cancelled' | 'lost' | 'closed';

/** The worker: `embedded-worker.js` in the build, `embedded-worker.ts` in the sources (worker-script.ts). */
function startWorker(workerData: WorkerStart): Worker {
  return startWorkerScript(import.meta.url, 'embedded-worker', { workerData });
}

export class EmbeddedThread {
  /** Resolves once PGlite is open in the worker; rejects when it could not open. */
  readonly ready: Promise<void>;
  /** Resolves when the worker thread has ended, whatever ended it. */
  readonly exited: Promise<void>;
  /** Why the worker ended (or is ending); null while it serves. */
  end: ThreadEnd | null = null;
  /** Whether PGlite ever opened in this worker (a worker that never served was not "lost"). */
  opened = false;

  private readonly worker: Worker;
  private readonly pending: Pending[] = [];
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private starting = true;

  /** `onEnd` runs synchronously when the worker stops serving, before any caller hears of it. */
  constructor(
    start: WorkerStart,
    private readonly onEnd: (thread: EmbeddedThread, end: ThreadEnd) => void = () => undefined,
    private readonly onNotification: (channel: string, payload: string) => void = () => undefined
  ) {
    this.worker = startWorker(start);
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.ready = new Promise<void>((resolve, reject) => {
      let failure: Error | undefined;
      this.worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'ready') {
          this.starting = false;
          this.opened = true;
          this.updateRef();
          resolve();
        } else if (msg.type === 'failed') {
          failure = fromWireError(msg.error);
          void this.worker.terminate();
        } else if (msg.type === 'notification') {
          this.onNotification(msg.channel, msg.payload);
        } else {
          this.answer(msg);
        }
      });
      this.worker.on('error', (err) => (failure ??= err));
      this.worker.once('exit', (code) => {
        this.starting = false;
        const lost = this.end === null;
        if (lost) {
          this.stop('lost');
        }
        const why = failure?.message ?? `the worker exited with code ${code}`;
        reject(startFailedError(why));
        // Whatever was still waiting learns it now (a kill already answered its own requests).
        if (lost) {
          this.failAll(workerLostError(why));
        } else {
          this.failAll(this.end === 'closed' ? closedError() : transactionAbortedError());
        }
      });
    });
    this.ready.catch(() => undefined);
    this.updateRef();
  }

  get alive(): boolean {
    return this.end === null;
  }

  /**
   * Runs one request. `killAfterMs` > 0: end the worker if it has not answered by then. `signal`:
   * when it aborts, a request still waiting is dropped and a running one ends the worker; both
   * reject with the signal's reason. Only requests that cannot write may be given either.
   */
  request(request: Request, killAfterMs = 0, signal?: AbortSignal): Promise<WireResult> {
    if (this.end === 'timeout' || this.end === 'cancelled') {
      return Promise.reject(transactionAbortedError());
    }
    if (this.end === 'closed') {
      return Promise.reject(closedError());
    }
    if (this.end === 'lost') {
      return Promise.reject(workerLostError('the worker is gone'));
    }
    if (signal?.aborted) {
      return Promise.reject(signal.reason);
    }
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        request: { ...request, id: this.nextId++ } as WorkerRequest,
        killAfterMs,
        signal,
        resolve,
        reject,
      };
      if (signal) {
        const onAbort = () => this.abort(pending);
        signal.addEventListener('abort', onAbort, { once: true });
        const settle =
          <A>(fn: (a: A) => void) =>
          (a: A) => {
            signal.removeEventListener('abort', onAbort);
            fn(a);
          };
        pending.resolve = settle(resolve);
        pending.reject = settle(reject);
      }
      this.pending.push(pending);
      if (this.pending.length === 1) {
        this.sendHead();
      }
      this.updateRef();
    });
  }

  /** Closes PGlite in the worker (its files flushed), then ends the worker. */
  async close(): Promise<void> {
    if (this.end === null) {
      await this.request({ op: 'close' }).catch(() => undefined);
      this.stop('closed');
      await this.worker.terminate();
    }
    await this.exited;
  }

  /** Ends the worker now, whatever it is doing: the statement in it never finishes. */
  kill(why: 'timeout' | 'cancelled' = 'timeout', headError: Error = statementTimeoutError()): void {
    if (this.end !== null) {
      return;
    }
    this.stop(why);
    const [head, ...rest] = this.pending.splice(0);
    head?.reject(headError);
    for (const p of rest) {
      p.reject(transactionAbortedError());
    }
    void this.worker.terminate();
    this.updateRef();
  }

  /** An aborted request: dropped while it waits; while it runs, the worker ends with it. */
  private abort(pending: Pending): void {
    const at = this.pending.indexOf(pending);
    if (at < 0) {
      return;
    }
    if (at > 0) {
      this.pending.splice(at, 1);
      pending.reject(pending.signal!.reason);
      this.updateRef();
      return;
    }
    this.kill('cancelled', pending.signal!.reason);
  }

  private stop(end: ThreadEnd): void {
    if (this.end !== null) {
      return;
    }
    this.end = end;
    clearTimeout(this.timer);
    this.onEnd(this, end);
  }

  private sendHead(): void {
    const head = this.pending[0];
    if (!head || this.end !== null) {
      return;
    }
    try {
      this.worker.postMessage(head.request);
    } catch (err) {
      // A parameter that cannot be cloned (a function, say): this request fails, the next goes.
      this.pending.shift();
      head.reject(err as Error);
      this.sendHead();
      return;
    }
    if (head.killAfterMs > 0) {
      this.timer = setTimeout(() => this.kill(), head.killAfterMs);
    }
  }

  private answer(msg: Extract<WorkerMessage, { type: 'answer' }>): void {
    const head = this.pending[0];
    if (!head || head.request.id !== msg.id) {
      return;
    } // answered already (killed or failed)
    clearTimeout(this.timer);
    this.pending.shift();
    if ('error' in msg) {
      head.reject(fromWireError(msg.error));
    } else {
      head.resolve(msg.result);
    }
    this.sendHead();
    this.updateRef();
  }

  private failAll(err: Error): void {
    for (const p of this.pending.splice(0)) {
      p.reject(err);
    }
    this.updateRef();
  }

  // An idle worker must not keep the process alive (an in-process PGlite did not either); one
  // that is starting, has work in flight, or is being ended (a restart waits for its exit) must.
  private updateRef(): void {
    if (this.end !== null || this.starting || this.pending.length > 0) {
      this.worker.ref();
    } else {
      this.worker.unref();
    }
  }
}
