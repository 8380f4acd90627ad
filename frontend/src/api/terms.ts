// Versioned, immutable terms (DESIGN.md §2.3).
import { api, seg, type PageParams } from './client';
import type { NewTerms, Page, Terms, TermsSummary } from './types';

export const list = (page: PageParams = {}) => api.get<Page<TermsSummary>>('/terms', { query: { ...page } });
export const get = (id: string) => api.get<Terms>(`/terms/${seg(id)}`);
export const create = (body: NewTerms) => api.post<Terms>('/terms', body);
