import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Long loops over a request's rows (parsing, checking, coercing a large body) run in time
 * slices: between batches they call `pause()`, which gives the event loop a turn once the
 * current slice is used up. Other requests (and `/health`) are then answered within about
 * one slice while a 64 MB body is checked, instead of after it.
 *
 * A turn is taken with setImmediate, not a resolved promise: only a macrotask lets timers
 * and sockets run. Taking one costs ~a microsecond plus whatever else is waiting, so a
 * slice of a few milliseconds keeps both the delay and the overhead small.
 */
export const SLICE_MS = 8;

export class TimeSlices {
  private sliceStart = performance.now();

  constructor(private readonly sliceMs = SLICE_MS) {}

  /** Call between batches of work: resolves at once, or after one event-loop turn when the slice is over. */
  async pause(): Promise<void> {
    if (performance.now() - this.sliceStart < this.sliceMs) {
      return;
    }
    await nextTurn();
    this.sliceStart = performance.now();
  }
}

/** Rows handled between two `pause()` calls: small enough that a batch stays well inside a slice. */
export const ROWS_PER_STEP = 256;
