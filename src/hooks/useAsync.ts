import { useEffect, useMemo, useState } from 'react';

export interface AsyncState<T> {
  value?: T;
  loading: boolean;
  error?: Error;
}

interface Settled<T> {
  /** Which run of `load` this is the result of. */
  run: object;
  value?: T;
  error?: Error;
}

/**
 * Runs `load` whenever one of its inputs changes; only the latest run's result counts.
 * While a new run is in flight the previous value stays visible (no flicker in the editors).
 */
export const useAsync = <T>(
  load: () => Promise<T> | undefined,
  input: unknown,
  otherInput?: unknown
): AsyncState<T> => {
  const run = useMemo(() => ({ input, otherInput }), [input, otherInput]);
  const [settled, setSettled] = useState<Settled<T>>();

  useEffect(() => {
    let current = true;
    Promise.resolve(load()).then(
      (value) => current && setSettled({ run, value }),
      (error: unknown) =>
        current && setSettled({ run, error: error instanceof Error ? error : new Error(String(error)) })
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run]);

  const done = settled?.run === run;
  return { value: settled?.value, loading: !done, error: done ? settled?.error : undefined };
};
