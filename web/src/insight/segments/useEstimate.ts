import { useEffect, useState } from 'react';
import type { Condition, EstimateRead } from '../../api/insight';
import { segmentsApi } from '../../api/insight';

export interface EstimateState {
  data?: EstimateRead;
  error?: unknown;
  loading: boolean;
}

/** 实时预估: asks for the count `delay` ms after the definition stops changing; stale answers are dropped. */
export function useEstimate(definition: Condition, enabled: boolean, delay = 500): EstimateState {
  const [state, setState] = useState<EstimateState>({ loading: false });
  const key = JSON.stringify(definition);
  useEffect(() => {
    if (!enabled) {
      setState({ loading: false });
      return;
    }
    const controller = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    const timer = window.setTimeout(() => {
      segmentsApi.estimate(JSON.parse(key) as Condition, controller.signal).then(
        (data) => {
          if (!controller.signal.aborted) setState({ data, loading: false });
        },
        (error: unknown) => {
          if (!controller.signal.aborted) setState({ error, loading: false });
        },
      );
    }, delay);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [key, enabled, delay]);
  return state;
}
