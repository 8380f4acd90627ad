// Operators only: organizations, users, the audit chain.
import { api, API_BASE, seg, type PageParams } from './client';
import type { AdminOrganization, AdminUser, AuditVerify, CreatedOrganization, NewOrganization, Page, User } from './types';

export const organizations = (page: PageParams = {}) => api.get<Page<AdminOrganization>>('/admin/organizations', { query: { ...page } });
export const createOrganization = (body: NewOrganization) => api.post<CreatedOrganization>('/admin/organizations', body);
export const users = (page: PageParams = {}) => api.get<Page<AdminUser>>('/admin/users', { query: { ...page } });
export const setUserDisabled = (id: string, disabled: boolean) => api.patch<User>(`/admin/users/${seg(id)}`, { disabled });
export const verifyAudit = () => api.get<AuditVerify>('/admin/audit/verify');
/** The chain's links (seq, time, action, hashes) as a download, for an outside auditor. */
export const chainExportUrl = (format: 'csv' | 'json') => `${API_BASE}/admin/audit/chain?format=${format}`;
