import { useCallback, useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth/AuthContext';

/**
 * Form drafts kept in this tab's sessionStorage, keyed by user, form and record, so that what
 * a person typed survives a session that ended under them (signed out in another tab, idle
 * timeout): the submit answers 401, the app goes to sign-in with a return path, and the form
 * comes back filled. A draft is removed when the form is sent successfully (or reset to empty),
 * on sign-out, and when the tab closes.
 */
const PREFIX = 'fap.draft.';

function store(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** Sign-out: forget every draft of this tab. */
export function clearDrafts(): void {
  const s = store();
  if (!s) return;
  for (let i = s.length - 1; i >= 0; i--) {
    const k = s.key(i);
    if (k?.startsWith(PREFIX)) s.removeItem(k);
  }
}

export interface Draft {
  /** The form was filled from a saved draft. */
  restored: boolean;
  /** Forget the draft and empty the form (after a successful submit, or "Discard"). */
  clear: () => void;
}

export function useDraft<T>(form: string, recordId: string, initial: T): [T, (next: T | ((prev: T) => T)) => void, Draft] {
  const { me } = useAuth();
  const key = me ? `${PREFIX}${me.user.id}.${form}.${recordId || 'new'}` : null;
  const initialRef = useRef(initial);
  const [loaded] = useState(() => {
    const raw = key ? store()?.getItem(key) : null;
    if (!raw) return { value: initial, restored: false };
    try {
      const parsed = JSON.parse(raw) as T;
      const value = initial && typeof initial === 'object' && !Array.isArray(initial) ? { ...initial, ...parsed } : parsed;
      return { value, restored: true };
    } catch {
      return { value: initial, restored: false };
    }
  });
  const [value, setValue] = useState<T>(loaded.value);
  const [restored, setRestored] = useState(loaded.restored);
  useEffect(() => {
    const s = store();
    if (!s || !key) return;
    if (JSON.stringify(value) === JSON.stringify(initialRef.current)) s.removeItem(key);
    else s.setItem(key, JSON.stringify(value));
  }, [key, value]);
  const clear = useCallback(() => {
    if (key) store()?.removeItem(key);
    setValue(initialRef.current);
    setRestored(false);
  }, [key]);
  return [value, setValue, { restored, clear }];
}
