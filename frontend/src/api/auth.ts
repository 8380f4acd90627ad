// Accounts, sessions and API tokens. The sign-in family answers 401 as an ordinary answer, so
// those calls never trigger the "session ended" redirect.
import { api, seg } from './client';
import type { ApiToken, Me, Page, Signup, User } from './types';

const open = { allowUnauthenticated: true };

export const me = () => api.get<Me>('/auth/me', open);
export const login = (email: string, password: string) => api.post<{ user: User }>('/auth/login', { email, password }, open);
export const logout = () => api.post<void>('/auth/logout', undefined, open);
export const signup = (body: Signup) => api.post<{ user: User }>('/auth/signup', body, open);
export const verifyEmail = (token: string, password: string) => api.post<{ user: User }>('/auth/verify-email', { token, password }, open);
export const requestPasswordReset = (email: string) => api.post<unknown>('/auth/password-reset/request', { email }, open);
export const confirmPasswordReset = (token: string, newPassword: string) =>
  api.post<{ user: User }>('/auth/password-reset/confirm', { token, new_password: newPassword }, open);
export const acceptInvitation = (token: string, name: string, password: string) =>
  api.post<{ user: User }>(`/auth/invitations/${seg(token)}/accept`, { name, password }, open);

export const apiTokens = () => api.get<Page<ApiToken>>('/auth/api-tokens');
export const createApiToken = (name: string) => api.post<ApiToken>('/auth/api-tokens', { name });
export const revokeApiToken = (id: string) => api.del<void>(`/auth/api-tokens/${seg(id)}`);
