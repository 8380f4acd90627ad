import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import * as authApi from '../api/auth';
import { ApiError } from '../api/client';
import type { Me } from '../api/types';
import { clearDrafts } from '../lib/drafts';

interface AuthState {
  me: Me | null;
  /** Second-factor state of the signed-in user (null when signed out). */
  mfa: authApi.MfaStatus | null;
  /** Must enrol a second factor before anything else (DESIGN §7). */
  held: boolean;
  loading: boolean;
  /** Set when /auth/me failed for a reason other than "not signed in". */
  error: ApiError | null;
  refresh: () => Promise<Me | null>;
  signOut: () => Promise<void>;
  /** The session ended under us (a 401): forget the user at once, keep this tab's drafts. */
  expire: () => void;
  /** The last session ended under us (not a sign-out): sign-in says so. */
  expired: boolean;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [mfa, setMfa] = useState<authApi.MfaStatus | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [expired, setExpired] = useState(false);

  const refresh = useCallback(async () => {
    try {
      // The second-factor state only decides the enrolment hold; without it (an older server,
      // a hiccup) the API's own 403 `mfa_enrollment_required` still sends a held user there.
      const [data, status] = await Promise.all([authApi.me(), authApi.mfaStatus().catch(() => null)]);
      setMfa(status);
      setMe(data);
      setExpired(false);
      setError(null);
      return data;
    } catch (e) {
      setMe(null);
      setMfa(null);
      setError(e instanceof ApiError && e.status !== 401 ? e : null);
      return null;
    } finally {
      setLoading(false);
    }
  }, []);

  const signOut = useCallback(async () => {
    try {
      await authApi.logout();
    } finally {
      clearDrafts();
      setMe(null);
    }
  }, []);
  const expire = useCallback(() => {
    setExpired(true);
    setMe(null);
    setMfa(null);
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const held = !!mfa && mfa.required && !mfa.enrolled;
  const value = useMemo(() => ({ me, mfa, held, loading, error, refresh, signOut, expire, expired }), [me, mfa, held, loading, error, refresh, signOut, expire, expired]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** Signed-in user; only call below <RequireAuth>. */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error('useMe without a signed-in user');
  return me;
}

export interface Role {
  kind: Me['organization']['kind'];
  isAdmin: boolean;
  isDeveloper: boolean;
  isAgency: boolean;
  isPartner: boolean;
  isOperator: boolean;
  isNSA: boolean;
  agencyCode: string | null;
  orgId: string;
  userId: string;
}

export function roleOf(me: Me): Role {
  const kind = me.organization.kind;
  return {
    kind,
    isAdmin: me.user.org_role === 'admin',
    isDeveloper: kind === 'developer',
    isAgency: kind === 'agency',
    isPartner: kind === 'partner',
    isOperator: kind === 'operator',
    isNSA: kind === 'agency' && me.organization.agency_code === 'NSA',
    agencyCode: me.organization.agency_code ?? null,
    orgId: me.organization.id,
    userId: me.user.id,
  };
}

export function useRole(): Role {
  return roleOf(useMe());
}

/** Only same-site paths are allowed as a post-sign-in destination (no open redirect). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/sign-in')) return '/';
  return next;
}
