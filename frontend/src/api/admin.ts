// Operators only: organizations, users, the audit chain.
import { api, API_BASE, seg, type PageParams } from './client';
import type { AdminOrganization, AdminUser, AuditVerify, CreatedOrganization, NewOrganization, Page, S, User, UserStatus } from './types';

export const organizations = (page: PageParams = {}) => api.get<Page<AdminOrganization>>('/admin/organizations', { query: { ...page } });
export const createOrganization = (body: NewOrganization) => api.post<CreatedOrganization>('/admin/organizations', body);
/** Rename, deactivate (`deactivated: true`) or reactivate an organization. */
export const updateOrganization = (id: string, body: S['PatchOrgBody']) => api.patch<AdminOrganization>(`/admin/organizations/${seg(id)}`, body);

export interface UserFilters {
  q?: string;
  status?: '' | UserStatus;
  organization_id?: string;
}
/** The server filters every user (search of names and addresses, status, organization). */
export const users = (filters: UserFilters = {}, page: PageParams = {}) =>
  api.get<Page<AdminUser>>('/admin/users', {
    query: { q: filters.q || undefined, status: filters.status || undefined, organization_id: filters.organization_id || undefined, ...page },
  });
export const setUserDisabled = (id: string, disabled: boolean) => api.patch<User>(`/admin/users/${seg(id)}`, { disabled });
export const setUserRole = (id: string, org_role: User['org_role']) => api.patch<User>(`/admin/users/${seg(id)}`, { org_role });
/** A new link by email; the earlier links stop working. */
export const resendInvitation = (id: string) => api.post<S['InvitationOut']>(`/admin/users/${seg(id)}/invitation`);
/** The links stop working and the person can no longer join (the account is kept, disabled). */
export const revokeInvitation = (id: string) => api.del<User>(`/admin/users/${seg(id)}/invitation`);
export const verifyAudit = () => api.get<AuditVerify>('/admin/audit/verify');
/** The chain's links (seq, time, action, hashes) as a download, for an outside auditor. */
export const chainExportUrl = (format: 'csv' | 'json') => `${API_BASE}/admin/audit/chain?format=${format}`;
