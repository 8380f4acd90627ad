// Early-access grants to selected partners (DESIGN.md §2.6).
import { api, seg, type PageParams } from './client';
import { rosterAt } from './roster';
import type { NewPartnerGrant, Page, PartnerGrant, PartnerGrantStatus, PartnerGrantSummary } from './types';

const one = (id: string, action = '') => `/partner-grants/${seg(id)}${action ? `/${action}` : ''}`;

export const list = (filters: { status?: PartnerGrantStatus; model_id?: string } = {}, page: PageParams = {}) =>
  api.get<Page<PartnerGrantSummary>>('/partner-grants', { query: { ...filters, ...page } });
export const get = (id: string) => api.get<PartnerGrant>(one(id));
export const issue = (body: NewPartnerGrant) => api.post<PartnerGrant>('/partner-grants', body);
export const revoke = (id: string) => api.post<PartnerGrant>(one(id, 'revoke'));
export const acceptTerms = (id: string) => api.post<PartnerGrant>(one(id, 'accept-terms'));
/** The grantee's own choice (never a gate on the developer); the reason is optional plain text. */
export const decline = (id: string, reason: string) => api.post<PartnerGrant>(one(id, 'decline'), reason.trim() ? { reason: reason.trim() } : {});
export const acknowledge = (id: string) => api.post<PartnerGrant>(one(id, 'acknowledge'));
export const roster = (id: string) => rosterAt(one(id));
