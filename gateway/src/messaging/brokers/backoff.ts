/**
 * Delay before retry number `attempt` (1, 2, …) of a broker reconnect or a failed database
 * write: doubling from `minMs`, capped at `maxMs`, drawn from the upper half of that ceiling
 * ("equal jitter") so several gateways do not retry in step, yet never retry at once.
 */
export function backoffDelay(attempt: number, minMs = 200, maxMs = 5000): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** The retry count of one task, for `backoffDelay`. */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly baseMs = 100,
    private readonly maxMs = 5000
  ) {}

  next(): number {
    this.attempt = Math.min(this.attempt + 1, 31);
    return backoffDelay(this.attempt, this.baseMs, this.maxMs);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** Waits `ms`, or less when `signal` aborts (then resolves, never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      return resolve();
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
