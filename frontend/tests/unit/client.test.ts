import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, buildUrl, fetchAll, parseProblem, setUnauthorizedHandler, type PageParams } from '../../src/api/client';
import * as designations from '../../src/api/designations';

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
}

describe('api client', () => {
  const fetchMock = vi.fn();
  beforeEach(() => {
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setUnauthorizedHandler(null);
  });

  it('sends X-Requested-With, same-origin credentials and a JSON body', async () => {
    fetchMock.mockResolvedValue(jsonResponse(201, { id: 'm1' }));
    const out = await api.post<{ id: string }>('/models', { name: 'A' });
    expect(out).toEqual({ id: 'm1' });
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/v1/models');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers['X-Requested-With']).toBe('fetch');
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body)).toEqual({ name: 'A' });
  });

  it('sends X-Requested-With on GET too, without a body', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, { items: [], next_cursor: null }));
    await api.get('/models', { query: { limit: 50, cursor: null, status: '' } });
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/v1/models?limit=50');
    expect(init.headers['X-Requested-With']).toBe('fetch');
    expect(init.body).toBeUndefined();
  });

  it('sends the review queue filters to the server and leaves out empty ones', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, { items: [], next_cursor: null }));
    await designations.list({ status: '', q: 'aurora 50%', assigned: 'unassigned' }, { limit: 50, cursor: 'c1' });
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/designation-requests?q=aurora+50%25&assigned=unassigned&limit=50&cursor=c1');
  });

  it('turns a problem document into an ApiError with detail, code and field errors', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(422, {
        type: 'https://portal/problems/window',
        title: 'Unprocessable entity',
        status: 422,
        detail: 'This window is 20 days; 15 days remain.',
        code: 'window_cap_exceeded',
        errors: [
          { field: 'ends_at', message: 'At most 15 more days.' },
          { field: 'ends_at', message: 'second message is ignored' },
          { field: 'starts_at', message: 'Too early.' },
        ],
        remaining_days: 15,
      }),
    );
    const err = (await api.post('/access-grants', {}).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.code).toBe('window_cap_exceeded');
    expect(err.message).toBe('This window is 20 days; 15 days remain.');
    expect(err.fieldErrors).toEqual({ ends_at: 'At most 15 more days.', starts_at: 'Too early.' });
    expect(err.problem.remaining_days).toBe(15);
  });

  it('falls back to a plain message when the error body is not JSON', async () => {
    fetchMock.mockResolvedValue(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const err = (await api.get('/models').catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(502);
    expect(err.message).toBe('Bad Gateway');
  });

  it('adds the Retry-After delay to a 429 message', async () => {
    fetchMock.mockResolvedValue(jsonResponse(429, { status: 429, title: 'Too many requests', detail: 'Slow down.' }, { 'Retry-After': '30' }));
    const err = (await api.post('/auth/login', {}, { allowUnauthenticated: true }).catch((e: unknown) => e)) as ApiError;
    expect(err.retryAfterSeconds).toBe(30);
    expect(err.message).toBe('Slow down. You can try again in 30 seconds.');
  });

  it('calls the unauthorized handler on 401, except for auth calls that expect it', async () => {
    const onUnauthorized = vi.fn();
    setUnauthorizedHandler(onUnauthorized);
    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse(401, { status: 401, title: 'Unauthorized', detail: 'Please sign in.' })));

    const err = (await api.get('/models').catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(401);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);

    await api.get('/auth/me', { allowUnauthenticated: true }).catch(() => {});
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('reports a network failure as an ApiError with status 0', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    const err = (await api.get('/models').catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(0);
    expect(err.message).toMatch(/could not be reached/);
  });

  it('returns undefined for 204 No Content', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }));
    await expect(api.del('/auth/api-tokens/1')).resolves.toBeUndefined();
  });
});

describe('helpers', () => {
  it('parseProblem keeps the status of the response when the body omits it', async () => {
    const p = await parseProblem(new Response(JSON.stringify({ detail: 'Nope' }), { status: 409 }));
    expect(p.status).toBe(409);
    expect(p.detail).toBe('Nope');
  });

  it('buildUrl encodes query values', () => {
    expect(buildUrl('/audit-events', { target_id: 'a b&c' })).toBe('/api/v1/audit-events?target_id=a+b%26c');
  });

  it('fetchAll follows next_cursor until the last page', async () => {
    const seen: PageParams[] = [];
    const pages: Record<string, { items: number[]; next_cursor: string | null }> = {
      '': { items: [1, 2], next_cursor: 'c1' },
      c1: { items: [3], next_cursor: null },
    };
    const all = await fetchAll(async (p) => {
      seen.push(p);
      return pages[p.cursor ?? ''];
    });
    expect(all).toEqual([1, 2, 3]);
    expect(seen).toEqual([
      { limit: 200, cursor: null },
      { limit: 200, cursor: 'c1' },
    ]);
  });
});
