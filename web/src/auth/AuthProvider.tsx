import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { endSession, getToken, refreshAccessToken, setToken, setUnauthorizedHandler } from '../api/client';
import { isApiError } from '../api/errors';
import { authApi } from '../api/endpoints';
import { AuthContext, type AuthStatus, type AuthValue } from './context';
import { hasPermission, normalizeMe, type Me } from './me';

export function AuthProvider({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  const [token, setTokenState] = useState<string | null>(getToken);
  const [me, setMe] = useState<Me | null>(null);
  // Until the refresh cookie has been tried, we do not know whether a session survives the page load.
  const [status, setStatus] = useState<AuthStatus>('loading');
  const [error, setError] = useState<unknown>(null);
  const [nonce, setNonce] = useState(0);

  // Any 401 from the API means the session is gone: forget it and go to the login page.
  useEffect(() => {
    setUnauthorizedHandler(() => {
      setTokenState(null);
      setMe(null);
      setStatus('anonymous');
      if (window.location.pathname !== '/login') {
        navigate('/login', {
          replace: true,
          state: { from: window.location.pathname + window.location.search },
        });
      }
    });
  }, [navigate]);

  // A reload keeps nothing in memory: recover the session from the HttpOnly refresh cookie, if it is still live.
  useEffect(() => {
    if (getToken()) return;
    let cancelled = false;
    void refreshAccessToken().then((ok) => {
      if (cancelled) return;
      if (ok) setTokenState(getToken());
      else setStatus((s) => (s === 'loading' ? 'anonymous' : s));
    });
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    if (!token) return;
    const controller = new AbortController();
    setStatus('loading');
    setError(null);
    authApi.me(controller.signal).then(
      (raw) => {
        setMe(normalizeMe(raw));
        setStatus('ready');
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        if (isApiError(err) && err.status === 401) return; // handled by the unauthorized handler
        setError(err);
        setStatus('error');
      },
    );
    return () => controller.abort();
  }, [token, nonce]);

  const login = useCallback(async (username: string, password: string) => {
    const res = await authApi.login({ username, password });
    setToken(res.access_token);
    setTokenState(res.access_token);
  }, []);

  // The server ends the session first, so a quick next login cannot have its new cookie cleared by this one.
  const logout = useCallback(() => {
    void endSession().finally(() => {
      setTokenState(null);
      setMe(null);
      setStatus('anonymous');
      navigate('/login', { replace: true });
    });
  }, [navigate]);

  const reloadMe = useCallback(() => setNonce((n) => n + 1), []);

  const value = useMemo<AuthValue>(
    () => ({
      status,
      me,
      error,
      login,
      logout,
      reloadMe,
      can: (permission) => hasPermission(me, permission),
    }),
    [status, me, error, login, logout, reloadMe],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
