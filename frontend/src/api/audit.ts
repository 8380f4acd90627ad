// The hash-chained audit trail, as each organization may see it.
import { api, API_BASE, type PageParams } from './client';
import type { AuditEvent, Page } from './types';

export const list = (filters: { target_id?: string } = {}, page: PageParams = {}) =>
  api.get<Page<AuditEvent>>('/audit-events', { query: { ...filters, ...page } });
/** A download link (the browser fetches it with the session cookie). */
export const exportUrl = (format: 'csv' | 'json') => `${API_BASE}/audit-events/export?format=${format}`;
