import { ApiError, apiErrorFrom } from './errors';

export { ApiError } from './errors';

/**
 * The access token lives in memory only (never in localStorage, where any injected script could read it). It is
 * short-lived; the refresh token is an HttpOnly cookie the page cannot read, sent only to /api/auth, so a reload
 * or an expired access token recovers the session silently through POST /api/auth/refresh.
 */
let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;

// Consoles before this change kept a long-lived token here: drop it.
try {
  window.localStorage.removeItem('mofang.token');
} catch {
  // storage unavailable: nothing was kept there either
}

export function getToken(): string | null {
  return accessToken;
}

/**
 * Keeps a new access token. It is refreshed when the API first refuses it, not on a timer: a console left open
 * and unused lets its session expire like any other idle login.
 */
export function setToken(token: string): void {
  accessToken = token;
}

export function clearToken(): void {
  accessToken = null;
}

/**
 * Reads a response's body to its end and drops it. A fetch whose body is never read stays open in the browser
 * (its request never finishes loading, so the page never goes network-idle): every answer is consumed.
 */
async function discard(res: Response): Promise<void> {
  try {
    await res.arrayBuffer();
  } catch {
    // already read, aborted or offline: nothing left open
  }
}

/**
 * A new access token from the refresh cookie; false when the session has ended. Concurrent callers share one
 * request, because each refresh rotates the cookie.
 */
export function refreshAccessToken(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' });
      if (!res.ok) {
        await discard(res);
        clearToken();
        return false;
      }
      const body = (await res.json()) as { access_token: string };
      setToken(body.access_token);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** Ends the session on the server (the access token and the refresh cookie stop working), then forgets it. */
export async function endSession(): Promise<void> {
  const headers: Record<string, string> = {};
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  clearToken();
  try {
    await discard(await fetch('/api/auth/logout', { method: 'POST', headers, credentials: 'same-origin' }));
  } catch {
    // offline: the token is forgotten here and expires on its own
  }
}

/**
 * fetch with the bearer token; a 401 first tries one silent refresh and repeats the request with the new token.
 * Returns the final response (a 401 then means the session is gone).
 */
async function authedFetch(url: string, init: RequestInit, headers: Record<string, string>): Promise<Response> {
  const send = () => {
    const h = { ...headers };
    if (accessToken) h.Authorization = `Bearer ${accessToken}`;
    return fetch(url, { ...init, headers: h });
  };
  const res = await send();
  if (res.status !== 401 || !(await refreshAccessToken())) return res;
  await discard(res); // the refused answer is replaced by the repeated request's
  return send();
}

type UnauthorizedHandler = () => void;
let unauthorizedHandler: UnauthorizedHandler = () => {
  if (window.location.pathname !== '/login') window.location.assign('/login');
};

/** The app registers a router-aware handler; the default does a full page load of /login. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  unauthorizedHandler = handler;
}

export type QueryValue = string | number | boolean | null | undefined;

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.append(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
  /** Do not treat 401 as "session expired" (the login form shows it instead). */
  skipAuthRedirect?: boolean;
}

async function readBody(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  if (!text) return undefined;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }

  let res: Response;
  try {
    const url = buildUrl(path, opts.query);
    if (opts.skipAuthRedirect) {
      // A 401 here is the answer itself (e.g. wrong password), not a session to refresh.
      if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
      res = await fetch(url, { method, headers, body, signal: opts.signal });
    } else {
      res = await authedFetch(url, { method, body, signal: opts.signal }, headers);
    }
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, null, err instanceof Error ? err.message : 'network error');
  }

  const payload = await readBody(res);
  if (!res.ok) {
    if (res.status === 401 && !opts.skipAuthRedirect) {
      clearToken();
      unauthorizedHandler();
    }
    throw apiErrorFrom(res.status, payload);
  }
  return payload as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
    request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
    request<T>('PATCH', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
    request<T>('PUT', path, { ...opts, body }),
  del: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
};

/** POSTs a multipart form (file uploads) with the bearer token; errors as in `request`. */
export async function postForm<T>(path: string, form: FormData): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let res: Response;
  try {
    res = await authedFetch(path, { method: 'POST', body: form }, headers);
  } catch (err) {
    throw new ApiError(0, null, err instanceof Error ? err.message : 'network error');
  }
  const payload = await readBody(res);
  if (!res.ok) {
    if (res.status === 401) {
      clearToken();
      unauthorizedHandler();
    }
    throw apiErrorFrom(res.status, payload);
  }
  return payload as T;
}

/**
 * Downloads a file the API streams (e.g. an audited CSV export) with the bearer token, then saves it under the
 * server's file name. With a `body` the request is a JSON POST (exports of a query); otherwise a GET.
 */
export async function downloadFile(
  path: string,
  fallbackName: string,
  query?: Record<string, QueryValue>,
  body?: unknown,
): Promise<void> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await authedFetch(
      buildUrl(path, query),
      { method: body === undefined ? 'GET' : 'POST', body: body === undefined ? undefined : JSON.stringify(body) },
      headers,
    );
  } catch (err) {
    throw new ApiError(0, null, err instanceof Error ? err.message : 'network error');
  }
  if (!res.ok) {
    const payload = await readBody(res);
    if (res.status === 401) {
      clearToken();
      unauthorizedHandler();
    }
    throw apiErrorFrom(res.status, payload);
  }
  const disposition = res.headers.get('content-disposition') ?? '';
  const match = /filename="?([^";]+)"?/.exec(disposition);
  saveBlob(await res.blob(), match ? match[1] : fallbackName);
}

/** Offers a blob to the user as a download. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
