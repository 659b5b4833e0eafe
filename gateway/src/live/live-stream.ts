import type { Principal } from '../auth/principal';
import type { StreamEndEvent } from '../contract/stream';
import type { Delta, LiveQuery, LiveSubscriber } from './live-query';
import type { SseChannel } from './sse-channel';

/** Where a subscription must be brought up to: a time, or the whole window (null). */
type CatchUp = number | null;

function earlier(a: CatchUp | undefined, b: CatchUp): CatchUp {
  if (a === undefined) {
    return b;
  }
  if (a === null || b === null) {
    return null;
  }
  return Math.min(a, b);
}

/**
 * One query of one stream. Shared deltas go straight out, except while this subscription is
 * catching up (its first backfill, or after a stall of its reader): then only the earliest
 * start they needed is kept, and one private run from there replaces them all, in order.
 */
class Subscription implements LiveSubscriber {
  /** The `to` of the last delta sent: the cursor a reconnect continues from. */
  cursor: number;
  private pending: CatchUp | undefined;
  private catchingUp = false;

  constructor(
    private readonly stream: LiveStream,
    readonly refId: string,
    readonly live: LiveQuery,
    start: CatchUp,
    initialCursor: number
  ) {
    this.cursor = initialCursor;
    this.pending = start;
  }

  offer(delta: Delta): void {
    if (this.catchingUp || this.stream.channel.congested) {
      this.stream.skipped++;
      this.pending = earlier(this.pending, delta.from);
      if (!this.catchingUp) {
        this.stream.channel.whenDrained(() => void this.catchUp());
      }
      return;
    }
    this.send(delta);
  }

  async catchUp(): Promise<void> {
    if (this.catchingUp || this.pending === undefined || this.stream.closed) {
      return;
    }
    this.catchingUp = true;
    try {
      while (this.pending !== undefined && !this.stream.closed) {
        if (this.stream.channel.congested) {
          this.stream.channel.whenDrained(() => void this.catchUp());
          return;
        }
        const from = this.pending;
        this.pending = undefined;
        this.send(await this.live.runFrom(from));
      }
    } catch (err) {
      this.stream.onError(err);
    } finally {
      this.catchingUp = false;
    }
  }

  private send(delta: Delta): void {
    if (this.stream.closed) {
      return;
    }
    this.cursor = delta.to;
    this.stream.channel.event(
      'frame',
      String(delta.to),
      `{"refId":${JSON.stringify(this.refId)},${delta.body.slice(1)}`
    );
  }
}

export interface StreamQuery {
  refId: string;
  live: LiveQuery;
  /** The client's cursor for this query, if it had one. */
  cursor: number | null;
}

/**
 * One open `POST /api/v1/stream`: a channel and the live queries it multiplexes. It ends when
 * the client goes, at its maximum lifetime (an `end` event with the cursors to reconnect
 * with), or when the gateway shuts down.
 */
export class LiveStream {
  closed = false;
  /** Shared deltas not sent because the reader was behind (each later covered by a catch-up). */
  skipped = 0;
  private readonly subs: Subscription[] = [];
  private readonly lifetime: NodeJS.Timeout;

  constructor(
    readonly principal: Principal,
    readonly channel: SseChannel,
    maxLifetimeMs: number,
    private readonly release: (stream: LiveStream, live: LiveQuery, sub: LiveSubscriber) => void,
    readonly onError: (err: unknown) => void
  ) {
    this.lifetime = setTimeout(() => this.end('max_lifetime'), maxLifetimeMs);
    this.lifetime.unref();
  }

  /** Subscribes every query, then brings each up to date from its cursor (the whole window without one). */
  start(queries: StreamQuery[]): void {
    const now = Date.now();
    for (const q of queries) {
      const from = q.cursor === null ? now - q.live.spec.windowMs : q.live.tailAfter(q.cursor, now);
      const sub = new Subscription(this, q.refId, q.live, from, q.cursor ?? now);
      this.subs.push(sub);
      q.live.subscribers.add(sub);
    }
    for (const sub of this.subs) {
      void sub.catchUp();
    }
  }

  cursors(): Record<string, string> {
    return Object.fromEntries(this.subs.map((s) => [s.refId, String(s.cursor)]));
  }

  end(reason: StreamEndEvent['reason']): void {
    if (this.closed) {
      return;
    }
    const event: StreamEndEvent = { reason, cursors: this.cursors() };
    this.channel.event('end', null, JSON.stringify(event));
    this.close();
  }

  /** The client went away, or the stream ended: every subscription is released. */
  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    clearTimeout(this.lifetime);
    for (const sub of this.subs) {
      this.release(this, sub.live, sub);
    }
    this.channel.end();
  }
}
