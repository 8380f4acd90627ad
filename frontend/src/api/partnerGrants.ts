// Early-access grants to selected partners (DESIGN.md §2.6).
import { api, seg, type PageParams } from './client';
import { messagesAt } from './grantMessages';
import { rosterAt } from './roster';
import type { NewPartnerGrant, Page, PartnerGrant, PartnerGrantStatus, PartnerGrantSummary, WindowWarning } from './types';

const one = (id: string, action = '') => `/partner-grants/${seg(id)}${action ? `/${action}` : ''}`;

export const list = (filters: { status?: PartnerGrantStatus; model_id?: string } = {}, page: PageParams = {}) =>
  api.get<Page<PartnerGrantSummary>>('/partner-grants', { query: { ...filters, ...page } });
export const get = (id: string) => api.get<PartnerGrant>(one(id));
export const issue = (body: NewPartnerGrant) => api.post<PartnerGrant>('/partner-grants', body);
export const changeEnd = (id: string, endsAt: string) => api.patch<PartnerGrant>(one(id), { ends_at: endsAt });
export const revoke = (id: string) => api.post<PartnerGrant>(one(id, 'revoke'));
export const acceptTerms = (id: string) => api.post<PartnerGrant>(one(id, 'accept-terms'));
/** The grantee's own choice (never a gate on the developer); the reason is optional plain text. */
export const decline = (id: string, reason: string) => api.post<PartnerGrant>(one(id, 'decline'), reason.trim() ? { reason: reason.trim() } : {});
export const acknowledge = (id: string) => api.post<PartnerGrant>(one(id, 'acknowledge'));
export const roster = (id: string) => rosterAt(one(id));
export const messages = (id: string) => messagesAt(one(id));
/** The warnings a proposed window would carry (advice, never a refusal): the same rule as a grant's `warnings`. */
export const windowWarnings = (q: { nomination_id: string; starts_at: string; ends_at: string; grant_id?: string }) =>
  api.get<{ warnings: WindowWarning[] }>('/partner-grants/window-warnings', { query: q });
