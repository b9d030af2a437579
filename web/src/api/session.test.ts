import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, endSession, getToken, refreshAccessToken, setToken, setUnauthorizedHandler } from './client';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('session in memory', () => {
  it('refreshes once on a 401 and repeats the request with the new token', async () => {
    setToken('old');
    const calls: Array<[string, string | undefined]> = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      const auth = (init.headers as Record<string, string> | undefined)?.Authorization;
      calls.push([url, auth]);
      if (url === '/api/auth/refresh') return json(200, { access_token: 'new', expires_in: 900 });
      return auth === 'Bearer new' ? json(200, { ok: true }) : json(401, { detail: 'expired' });
    });
    await expect(api.get('/api/me')).resolves.toEqual({ ok: true });
    expect(calls).toEqual([
      ['/api/me', 'Bearer old'],
      ['/api/auth/refresh', undefined],
      ['/api/me', 'Bearer new'],
    ]);
    expect(getToken()).toBe('new');
  });

  it('sends concurrent refreshes as one request (each refresh rotates the cookie)', async () => {
    let refreshes = 0;
    vi.stubGlobal('fetch', async () => {
      refreshes += 1;
      return json(200, { access_token: 't2' });
    });
    const results = await Promise.all([refreshAccessToken(), refreshAccessToken(), refreshAccessToken()]);
    expect(results).toEqual([true, true, true]);
    expect(refreshes).toBe(1);
  });

  it('signs out when the session cannot be refreshed', async () => {
    setToken('old');
    let signedOut = false;
    setUnauthorizedHandler(() => {
      signedOut = true;
    });
    vi.stubGlobal('fetch', async () => json(401, { detail: 'the session has ended' }));
    await expect(api.get('/api/me')).rejects.toMatchObject({ status: 401 });
    expect(signedOut).toBe(true);
    expect(getToken()).toBeNull();
  });

  it('logout tells the server with the token and forgets it', async () => {
    setToken('live');
    const sent: Array<[string, string | undefined]> = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      sent.push([url, (init.headers as Record<string, string>).Authorization]);
      return new Response(null, { status: 204 });
    });
    await endSession();
    expect(sent).toEqual([['/api/auth/logout', 'Bearer live']]);
    expect(getToken()).toBeNull();
  });
});
