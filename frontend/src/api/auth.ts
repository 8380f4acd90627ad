// Accounts, sessions and API tokens. The sign-in family answers 401 as an ordinary answer, so
// those calls never trigger the "session ended" redirect.
import { api, seg } from './client';
import type { ApiToken, InvitationPreview, Me, NotificationSettings, Page, SessionList, Signup, SsoProvider, TokenScope, User } from './types';

const open = { allowUnauthenticated: true };

export const me = () => api.get<Me>('/auth/me', open);
/** The password step: a user with a second factor gets `mfa_required` instead of a session. */
export type LoginAnswer = { user: User; mfa_required?: undefined } | { mfa_required: true; methods: string[]; user?: undefined };
export const login = (email: string, password: string) => api.post<LoginAnswer>('/auth/login', { email, password }, open);
/** The code step: a TOTP `code` or a `recovery_code` completes the sign-in. */
export const loginSecondFactor = (factor: { code: string } | { recovery_code: string }) =>
  api.post<{ user: User }>('/auth/login/mfa', factor, open);
/** The single sign-on providers; each button is a plain link to `ssoStartUrl(name)`. */
export const ssoProviders = () => api.get<{ items: SsoProvider[] }>('/auth/oidc', open);
/** A full-page navigation (not fetch): the server redirects on to the provider. */
export const ssoStartUrl = (name: string) => `/api/v1/auth/oidc/${seg(name)}/start`;
export const logout = () => api.post<void>('/auth/logout', undefined, open);
export const signup = (body: Signup) => api.post<{ user: User }>('/auth/signup', body, open);
export const verifyEmail = (token: string, password: string) => api.post<{ user: User }>('/auth/verify-email', { token, password }, open);
export const requestPasswordReset = (email: string) => api.post<unknown>('/auth/password-reset/request', { email }, open);
export const confirmPasswordReset = (token: string, newPassword: string) =>
  api.post<{ user: User }>('/auth/password-reset/confirm', { token, new_password: newPassword }, open);
/** What an invitation link is for (organization name and address); 404 when it is not usable. */
export const invitation = (token: string) => api.get<InvitationPreview>(`/auth/invitations/${seg(token)}`, open);
export const acceptInvitation = (token: string, name: string, password: string) =>
  api.post<{ user: User }>(`/auth/invitations/${seg(token)}/accept`, { name, password }, open);

export const apiTokens = () => api.get<Page<ApiToken>>('/auth/api-tokens');
export const createApiToken = (name: string, scope: TokenScope, expiresInDays: number) =>
  api.post<ApiToken>('/auth/api-tokens', { name, scope, expires_in_days: expiresInDays });
export const revokeApiToken = (id: string) => api.del<void>(`/auth/api-tokens/${seg(id)}`);

/** The sessions page: the caller's live sessions and API tokens; ending either by its id. */
export const sessions = () => api.get<SessionList>('/auth/sessions');
export const endSession = (id: string) => api.del<void>(`/auth/sessions/${seg(id)}`);

/** Email notification settings: which emails reach the caller; `disabled` replaces the set. */
export const notifications = () => api.get<NotificationSettings>('/auth/notifications');
export const saveNotifications = (disabled: string[]) => api.put<NotificationSettings>('/auth/notifications', { disabled });

/** Second factors (DESIGN §7). */
export interface Passkey {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}
export interface MfaStatus {
  /** Any second factor: an authenticator app or a passkey. */
  enrolled: boolean;
  /** An authenticator app is set up. */
  totp: boolean;
  passkeys: Passkey[];
  required: boolean;
  recovery_codes_left: number;
  stepped_up: boolean;
}
export const mfaStatus = () => api.get<MfaStatus>('/auth/mfa', open);
export const startTotp = () => api.post<{ secret: string; otpauth_uri: string }>('/auth/mfa/totp');
export const confirmTotp = (code: string) => api.post<{ recovery_codes: string[] }>('/auth/mfa/totp/confirm', { code });
export const removeTotp = () => api.del<void>('/auth/mfa/totp');
/** Step-up never runs the step-up handler itself (a wrong code is an ordinary answer). */
export const stepUp = (factor: { code: string } | { recovery_code: string }) =>
  api.post<{ stepped_up_until: string }>('/auth/step-up', factor, { noStepUpRetry: true, allowUnauthenticated: true });

/** Passkeys (WebAuthn): options are `{publicKey}` JSON with base64url binary fields (lib/webauthn). */
type PasskeyOptions = { publicKey: Record<string, unknown> };
type Credential = Record<string, unknown>;
export const startPasskeyRegistration = () => api.post<PasskeyOptions>('/auth/mfa/webauthn/register/start');
export const finishPasskeyRegistration = (credential: Credential, name: string) =>
  api.post<{ passkey: Passkey; recovery_codes?: string[] }>('/auth/mfa/webauthn/register/finish', { credential, name });
export const removePasskey = (id: string) => api.del<void>(`/auth/mfa/webauthn/${seg(id)}`);
export const startPasskeySignIn = () => api.post<PasskeyOptions>('/auth/login/webauthn/start', undefined, open);
export const finishPasskeySignIn = (credential: Credential) => api.post<{ user: User }>('/auth/login/webauthn/finish', { credential }, open);
export const startPasskeyStepUp = () =>
  api.post<PasskeyOptions>('/auth/step-up/webauthn/start', undefined, { noStepUpRetry: true, allowUnauthenticated: true });
export const finishPasskeyStepUp = (credential: Credential) =>
  api.post<{ stepped_up_until: string }>('/auth/step-up/webauthn/finish', { credential }, { noStepUpRetry: true, allowUnauthenticated: true });
