// The caller's organization, its invitations, and the directory of agencies and partners.
import { api, type PageParams } from './client';
import type { Invitation, InvitationSent, OrgKind, OrgMembers, Organization, Page } from './types';

export const mine = () => api.get<OrgMembers>('/organizations/me');
export const invite = (body: Invitation) => api.post<InvitationSent>('/organizations/me/invitations', body);
export const directory = (filters: { kind?: OrgKind } = {}, page: PageParams = {}) =>
  api.get<Page<Organization>>('/organizations', { query: { ...filters, ...page } });
