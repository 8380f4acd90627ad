import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, type PageParams } from '../api/client';
import type { Page } from '../api/types';

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

/**
 * Load a resource with `load` (a call of an API module); `load` null means "not yet" (e.g.
 * waiting for an id). It runs again when `deps` change, as an effect's dependencies do.
 */
export function useResource<T>(load: (() => Promise<T>) | null, deps: readonly unknown[]): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState<boolean>(load !== null);
  const key = load === null ? null : JSON.stringify(deps);
  const keyRef = useRef(key);
  keyRef.current = key;
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(async () => {
    const fn = loadRef.current;
    if (fn === null) return;
    const myKey = keyRef.current;
    setLoading(true);
    try {
      const d = await fn();
      if (keyRef.current === myKey) {
        setData(d);
        setError(null);
      }
    } catch (e) {
      if (keyRef.current === myKey) setError(asApiError(e));
    } finally {
      if (keyRef.current === myKey) setLoading(false);
    }
  }, [key]);

  useEffect(() => {
    void run();
  }, [run]);

  return { data, error, loading, reload: run, setData };
}

export interface PagedList<T> {
  items: T[];
  error: ApiError | null;
  loading: boolean;
  hasMore: boolean;
  loadMore: () => Promise<void>;
  reload: () => Promise<void>;
}

/**
 * A keyset-paginated list with "Load more": `list` reads one page (a list call of an API module,
 * which sends every filter to the server); null means "not yet". It starts over when `deps`
 * (the filters) change.
 */
export function usePaged<T>(
  list: ((page: PageParams) => Promise<Page<T>>) | null,
  deps: readonly unknown[],
  limit = 50,
): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState<boolean>(list !== null);
  const key = list === null ? null : JSON.stringify(deps);
  const keyRef = useRef(key);
  keyRef.current = key;
  const listRef = useRef(list);
  listRef.current = list;

  const fetchPage = useCallback(
    async (after: string | null) => {
      const fn = listRef.current;
      if (fn === null) return;
      const myKey = keyRef.current;
      setLoading(true);
      try {
        const page = await fn({ limit, cursor: after });
        if (keyRef.current !== myKey) return;
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.next_cursor ?? null);
        setError(null);
      } catch (e) {
        if (keyRef.current === myKey) setError(asApiError(e));
      } finally {
        if (keyRef.current === myKey) setLoading(false);
      }
    },
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

/** `value`, once it has stopped changing for `ms` (the first value at once). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const id = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(id);
  }, [value, ms]);
  return settled;
}
