import type { LiveSpec } from './live-window';
import { tailStart } from './live-window';

/**
 * A delta: what one run found. `body` is the event's JSON without its refId (subscribers of
 * one live query name it differently), serialised once however many panels show it.
 */
export interface Delta {
  from: number | null;
  to: number;
  body: string;
}

/** Runs the live query over [from, to] (from null: the whole window) and encodes the delta. */
export type DeltaRunner = (from: number | null, to: number) => Promise<Delta>;

export interface LiveSubscriber {
  offer(delta: Delta): void;
}

/** Hints within this time are answered by one run: a burst of single-row POSTs costs one query. */
const COALESCE_MS = 20;

/**
 * One distinct live query (by its normalised body) and everyone watching it. A change hint
 * wakes it; it runs once for the tail of the window and offers the delta to every subscriber.
 * Hints arriving while it runs make exactly one more run after it.
 */
export class LiveQuery {
  readonly subscribers = new Set<LiveSubscriber>();
  private lastTo: number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private closed = false;
  runs = 0;

  constructor(
    readonly key: string,
    readonly spec: LiveSpec,
    /** The table's change key; null (SQL mode) = woken by a change of any table. */
    readonly changeKey: string | null,
    private readonly runner: DeltaRunner,
    private readonly onError: (err: unknown) => void
  ) {
    this.lastTo = Date.now();
  }

  wake(): void {
    if (this.closed || this.timer) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.timer = setTimeout(() => void this.runShared(), COALESCE_MS);
  }

  /** A run for one subscriber only (a new one, or one catching up): the others are not bothered. */
  runFrom(from: number | null): Promise<Delta> {
    return this.runner(this.spec.wholeWindow ? null : from, Date.now());
  }

  /** The start of a tail that covers everything after `since`. */
  tailAfter(since: number, now = Date.now()): number {
    return tailStart(this.spec, now, since);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private async runShared(): Promise<void> {
    this.timer = undefined;
    if (this.closed) {
      return;
    }
    this.running = true;
    try {
      const now = Date.now();
      const from = this.spec.wholeWindow ? null : tailStart(this.spec, now, this.lastTo);
      this.runs++;
      const delta = await this.runner(from, now);
      this.lastTo = now;
      if (!this.closed) {
        for (const s of this.subscribers) {
          s.offer(delta);
        }
      }
    } catch (err) {
      this.onError(err);
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    }
  }
}
