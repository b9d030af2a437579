import { useEffect, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { analysisPath, savedApi, type AnalysisModel, type QueryOf, type SavedAnalysis } from '../../api/dashboards';
import { resolveQuery, savedIdOf } from './range';

export interface SavedLoad {
  /** The saved analysis named by `?saved=`, once loaded. */
  analysis?: SavedAnalysis;
  loading: boolean;
  error?: unknown;
}

/**
 * Opens the saved analysis named by the page's `?saved=<id>`: fills the form through `fill`, then runs the saved
 * query (its rolling range moved to today) through `run`, so the result shown is exactly the saved analysis even
 * where the form cannot express every part of the query. A saved analysis of another model opens on its own page.
 */
export function useSavedAnalysis<M extends AnalysisModel>(
  model: M,
  fill: (query: QueryOf<M>) => void,
  run: (query: QueryOf<M>) => void,
): SavedLoad {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const id = savedIdOf(search);
  const [state, setState] = useState<SavedLoad>({ loading: id !== undefined });
  // The page's setters change every render; the load runs once per id with the latest ones.
  const latest = useRef({ fill, run });
  useEffect(() => {
    latest.current = { fill, run };
  });

  useEffect(() => {
    if (id === undefined) {
      setState({ loading: false });
      return;
    }
    const ctrl = new AbortController();
    setState({ loading: true });
    savedApi.get(id, ctrl.signal).then(
      (analysis) => {
        if (ctrl.signal.aborted) return;
        if (analysis.model !== model) {
          navigate(analysisPath(analysis.model, analysis.id), { replace: true });
          return;
        }
        const query = resolveQuery(analysis.query as QueryOf<M>, analysis.range);
        latest.current.fill(query);
        latest.current.run(query);
        setState({ analysis, loading: false });
      },
      (error: unknown) => !ctrl.signal.aborted && setState({ loading: false, error }),
    );
    return () => ctrl.abort();
  }, [id, model, navigate]);

  return state;
}
