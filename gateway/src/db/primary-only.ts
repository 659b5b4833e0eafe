import { AsyncLocalStorage } from 'node:async_hooks';

const primaryOnly = new AsyncLocalStorage<true>();

/**
 * Runs `fn` with every read it makes on the primary, even reads marked `staleOk`: a live
 * stream's re-run is woken by a write that a replica may not have replayed yet, so it would
 * find the tail unchanged and miss the row until the next change (routed-db.ts reads the mark).
 */
export function onPrimaryOnly<T>(fn: () => Promise<T>): Promise<T> {
  return primaryOnly.run(true, fn);
}

export const primaryRequired = (): boolean => primaryOnly.getStore() === true;
