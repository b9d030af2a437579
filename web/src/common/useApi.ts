import { useCallback, useEffect, useState, type DependencyList } from 'react';

export interface ApiState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export interface UseApiOptions {
  /** Keep showing the previous result while the next one loads after `deps` change. */
  keepPrevious?: boolean;
}

interface Settled<T> {
  key: string;
  data: T | undefined;
  error: unknown;
}

/**
 * Runs `load` whenever `deps` change (and on `reload()`), aborting the previous request.
 * By default a result is shown only for the deps it was loaded with, so a table never shows
 * rows of the previous search; `reload()` keeps the current result on screen while it refreshes.
 */
export function useApi<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  options: UseApiOptions = {},
): ApiState<T> {
  const key = JSON.stringify(deps);
  const [settled, setSettled] = useState<Settled<T>>({ key: '', data: undefined, error: undefined });
  const [inFlight, setInFlight] = useState(true);
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setInFlight(true);
    load(controller.signal).then(
      (data) => {
        if (controller.signal.aborted) return;
        setSettled({ key, data, error: undefined });
        setInFlight(false);
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setSettled((prev) => ({ key, data: prev.key === key ? prev.data : undefined, error }));
        setInFlight(false);
      },
    );
    return () => controller.abort();
    // `load` is re-created every render; callers list what it depends on in `deps`.
  }, [key, nonce]); // eslint-disable-line react-hooks/exhaustive-deps

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const current = settled.key === key;
  return {
    data: current || options.keepPrevious ? settled.data : undefined,
    error: current ? settled.error : undefined,
    loading: inFlight || !current,
    reload,
  };
}
