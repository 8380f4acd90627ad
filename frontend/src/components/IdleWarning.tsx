import { useEffect, useRef, useState } from 'react';
import { api, lastActivity } from '../api/client';
import type { Me } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { ConfirmDialog, type ConfirmDialogRef } from './ConfirmAction';

/**
 * The server ends a session after 15 minutes without a request (SESSION_IDLE in
 * src/store/accounts.rs; it records activity at most once a minute, TOUCH_EVERY).
 */
export const SESSION_IDLE_MS = 15 * 60_000;
/** Warn this long before the idle end, measured from this browser's last request (any tab). */
export const IDLE_WARN_BEFORE_MS = 3 * 60_000;
const CHECK_EVERY_MS = 10_000;

/**
 * Warns before the idle timeout and offers "Stay signed in": any authenticated request keeps
 * the session alive, so it asks GET /api/v1/auth/me. Once the idle time has passed, the same
 * request answers 401 and the app goes to sign-in with the "session ended" notice (drafts kept).
 */
/** An authenticated request (not the sign-in page's "who am I"): a 401 runs the app's sign-in redirect. */
const stillThere = () => api.get<Me>('/auth/me');

export function IdleWarning() {
  const { me } = useAuth();
  const ref = useRef<ConfirmDialogRef>(null);
  const [shown, setShown] = useState(false);
  const [minutes, setMinutes] = useState(3);
  useEffect(() => {
    if (!me) return;
    const check = () => {
      const idle = Date.now() - lastActivity();
      if (idle >= SESSION_IDLE_MS) {
        // Ended: the 401 of this request takes the user to sign-in ("session ended", drafts kept).
        void stillThere().catch(() => {});
        return;
      }
      if (idle >= SESSION_IDLE_MS - IDLE_WARN_BEFORE_MS) {
        setMinutes(Math.max(1, Math.ceil((SESSION_IDLE_MS - idle) / 60_000)));
        if (!shown) {
          setShown(true);
          ref.current?.open();
        }
      } else if (shown) {
        // Activity in another tab kept the session alive.
        setShown(false);
        ref.current?.close();
      }
    };
    const id = window.setInterval(check, CHECK_EVERY_MS);
    return () => window.clearInterval(id);
  }, [me, shown]);
  if (!me) return null;
  return (
    <ConfirmDialog
      ref={ref}
      heading="Your session is about to end"
      confirmLabel="Stay signed in"
      cancelLabel="Not now"
      danger={false}
      onConfirm={async () => {
        await stillThere();
        setShown(false);
      }}
    >
      <p>
        For your security you are signed out after 15 minutes without activity. About {minutes} {minutes === 1 ? 'minute' : 'minutes'} remain. Anything you are typing is
        kept in this tab and comes back after you sign in again.
      </p>
    </ConfirmDialog>
  );
}
