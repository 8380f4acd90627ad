// The caller's organization, its invitations, and the directory of agencies and partners.
import { api, seg, type PageParams } from './client';
import type { Invitation, InvitationSent, Member, OrgKind, OrgMembers, OrgRole, Organization, Page } from './types';

export const mine = () => api.get<OrgMembers>('/organizations/me');
export const invite = (body: Invitation) => api.post<InvitationSent>('/organizations/me/invitations', body);
export const directory = (filters: { kind?: OrgKind } = {}, page: PageParams = {}) =>
  api.get<Page<Organization>>('/organizations', { query: { ...filters, ...page } });
/** An org admin's own people: role, and pending invitations resent or revoked. */
export const setMemberRole = (id: string, org_role: OrgRole) => api.patch<Member>(`/organizations/me/members/${seg(id)}`, { org_role });
export const resendMemberInvitation = (id: string) => api.post<InvitationSent>(`/organizations/me/members/${seg(id)}/invitation`);
export const revokeMemberInvitation = (id: string) => api.del<Member>(`/organizations/me/members/${seg(id)}/invitation`);
