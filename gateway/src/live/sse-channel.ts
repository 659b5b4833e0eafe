import type { ServerResponse } from 'node:http';

/**
 * One Server-Sent Events response over a plain POST. Headers go out at once (a proxy's
 * timeout to the first byte is then met however long the first change takes), events are
 * written whole, and a comment line every `pingMs` keeps idle proxies from closing it.
 *
 * A reader that does not keep up is not given more: past `limitBytes` unsent, `congested` is
 * true and callers hold back (live-stream.ts skips deltas and later sends one catch-up), so a
 * stalled client costs at most about `limitBytes` plus one event.
 */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // nginx and similar proxies buffer responses unless told not to.
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
} as const;

export class SseChannel {
  private readonly ping: NodeJS.Timeout;
  private drainWaiters: Array<() => void> = [];
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly res: ServerResponse,
    headers: Record<string, unknown>,
    private readonly limitBytes: number,
    pingMs: number
  ) {
    res.writeHead(200, { ...headers, ...SSE_HEADERS });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    // A first comment: some clients only report the response once a body byte arrives.
    res.write(': stream open\n\n');
    this.ping = setInterval(() => {
      if (!this.congested) {
        this.write(': ping\n\n');
      }
    }, pingMs);
    this.ping.unref();
  }

  get open(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  /** Bytes written but not yet taken by the socket. */
  get buffered(): number {
    return this.res.writableLength;
  }

  get congested(): boolean {
    return this.buffered > this.limitBytes;
  }

  /** `data` is one line of JSON (JSON.stringify never writes a newline). */
  event(name: string, id: string | null, data: string): void {
    this.write(`event: ${name}\n${id !== null ? `id: ${id}\n` : ''}data: ${data}\n\n`);
  }

  /** Runs `fn` once the reader has taken what is buffered (at once when it has). */
  whenDrained(fn: () => void): void {
    if (!this.congested) {
      return fn();
    }
    this.drainWaiters.push(fn);
    // 'drain' only follows a write that returned false; checking keeps the limit independent of
    // the socket's own high-water mark.
    this.drainTimer ??= setInterval(() => {
      if (!this.open) {
        return this.stopDrainCheck();
      }
      if (this.congested) {
        return;
      }
      const waiters = this.drainWaiters;
      this.stopDrainCheck();
      for (const w of waiters) {
        w();
      }
    }, 50);
  }

  end(): void {
    clearInterval(this.ping);
    this.stopDrainCheck();
    if (this.open) {
      this.res.end();
    }
  }

  private stopDrainCheck(): void {
    clearInterval(this.drainTimer);
    this.drainTimer = undefined;
    this.drainWaiters = [];
  }

  private write(text: string): void {
    if (this.open) {
      this.res.write(text);
    }
  }
}
