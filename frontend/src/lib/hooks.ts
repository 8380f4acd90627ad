import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, itemsOf, type RequestOptions } from '../api/client';

function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError({ status: 0, title: 'Unexpected error', detail: e instanceof Error ? e.message : String(e) });
}

export interface Resource<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => Promise<void>;
  setData: (d: T) => void;
}

/** GET a resource; `path` null means "not yet" (e.g. waiting for an id). */
export function useResource<T>(path: string | null, query?: RequestOptions['query']): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState<boolean>(path !== null);
  const key = path === null ? null : path + JSON.stringify(query ?? {});
  const keyRef = useRef(key);
  keyRef.current = key;

  const load = useCallback(async () => {
    if (path === null) return;
    const myKey = keyRef.current;
    setLoading(true);
    try {
      const d = await api.get<T>(path, { query });
      if (keyRef.current === myKey) {
        setData(d);
        setError(null);
      }
    } catch (e) {
      if (keyRef.current === myKey) setError(asApiError(e));
    } finally {
      if (keyRef.current === myKey) setLoading(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  useEffect(() => {
    void load();
  }, [load]);

  return { data, error, loading, reload: load, setData };
}

export interface PagedList<T> {
  items: T[];
  error: ApiError | null;
  loading: boolean;
  hasMore: boolean;
  loadMore: () => Promise<void>;
  reload: () => Promise<void>;
}

/** A keyset-paginated list (`{items, next_cursor}`) with "Load more". */
export function usePaged<T>(path: string | null, query: RequestOptions['query'] = {}, limit = 50): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState<boolean>(path !== null);
  const key = path === null ? null : path + JSON.stringify(query);
  const keyRef = useRef(key);
  keyRef.current = key;

  const fetchPage = useCallback(
    async (after: string | null) => {
      if (path === null) return;
      const myKey = keyRef.current;
      setLoading(true);
      try {
        const d = await api.get<unknown>(path, { query: { ...query, limit, cursor: after } });
        if (keyRef.current !== myKey) return;
        const page = itemsOf<T>(d);
        setItems((prev) => (after ? [...prev, ...page] : page));
        setCursor((d as { next_cursor?: string | null })?.next_cursor ?? null);
        setError(null);
      } catch (e) {
        if (keyRef.current === myKey) setError(asApiError(e));
      } finally {
        if (keyRef.current === myKey) setLoading(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key, limit],
  );

  useEffect(() => {
    setItems([]);
    setCursor(null);
    void fetchPage(null);
  }, [fetchPage]);

  return {
    items,
    error,
    loading,
    hasMore: cursor !== null,
    loadMore: () => fetchPage(cursor),
    reload: () => fetchPage(null),
  };
}

export interface Action<A extends unknown[], R> {
  run: (...args: A) => Promise<R | undefined>;
  busy: boolean;
  error: ApiError | null;
  fieldErrors: Record<string, string>;
  clear: () => void;
}

/** Wrap an async action (a form submit, a button) with busy/error state. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): Action<A, R> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      return await fnRef.current(...args);
    } catch (e) {
      setError(asApiError(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return {
    run,
    busy,
    error,
    fieldErrors: error ? error.fieldErrors : {},
    clear: () => setError(null),
  };
}

/** Re-render every `ms` so countdowns and "today" markers stay current. */
export function useNow(ms = 60_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = window.setInterval(() => setNow(new Date()), ms);
    return () => window.clearInterval(id);
  }, [ms]);
  return now;
}
