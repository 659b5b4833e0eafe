/**
 * Runs async jobs one at a time, in arrival order. The embedded database is a single
 * connection, so every statement and every whole transaction goes through one of these.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    // Keep the chain alive whatever this job does.
    this.tail = result.then(
      () => undefined,
      () => undefined
    );
    return result;
  }
}
