// Government access grants (DESIGN.md §2.4): at most 30 days per model, under agreed terms.
import { API_BASE, api, seg, type PageParams } from './client';
import { messagesAt } from './grantMessages';
import { rosterAt } from './roster';
import type { AccessGrant, AccessGrantSummary, AccessLogEntry, GrantStatus, NewAccessGrant, NewAccessLogEntry, Page } from './types';

const one = (id: string, action = '') => `/access-grants/${seg(id)}${action ? `/${action}` : ''}`;

export const list = (filters: { status?: GrantStatus; model_id?: string } = {}, page: PageParams = {}) =>
  api.get<Page<AccessGrantSummary>>('/access-grants', { query: { ...filters, ...page } });
export const get = (id: string) => api.get<AccessGrant>(one(id));
export const offer = (body: NewAccessGrant) => api.post<AccessGrant>('/access-grants', body);
export const changeEnd = (id: string, endsAt: string) => api.patch<AccessGrant>(one(id), { ends_at: endsAt });
export const end = (id: string) => api.post<AccessGrant>(one(id, 'end'));
export const acceptTerms = (id: string) => api.post<AccessGrant>(one(id, 'accept-terms'));
/** The grantee's own choice (never a gate on the developer); the reason is optional plain text. */
export const decline = (id: string, reason: string) => api.post<AccessGrant>(one(id, 'decline'), reason.trim() ? { reason: reason.trim() } : {});
export const acknowledge = (id: string) => api.post<AccessGrant>(one(id, 'acknowledge'));
export const roster = (id: string) => rosterAt(one(id));
export const messages = (id: string) => messagesAt(one(id));
export const accessLog = (id: string, page: PageParams = {}) => api.get<Page<AccessLogEntry>>(one(id, 'access-log'), { query: { ...page } });
export const logAccess = (id: string, body: NewAccessLogEntry) => api.post<AccessLogEntry>(one(id, 'access-log'), body);
/** The signed-in person's own access-log entries on every grant, as a file (streamed). */
export const ownLogExportUrl = (format: 'csv' | 'json') => `${API_BASE}/access-log/export?format=${format}`;
