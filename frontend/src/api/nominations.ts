// Co-selection of trusted partners (DESIGN.md §2.5).
import { api, seg, type PageParams } from './client';
import type { NewNomination, Nomination, NominationStatus, NominationSummary, Page } from './types';

const one = (id: string, action = '') => `/nominations/${seg(id)}${action ? `/${action}` : ''}`;

export const list = (filters: { status?: NominationStatus; model_id?: string } = {}, page: PageParams = {}) =>
  api.get<Page<NominationSummary>>('/nominations', { query: { ...filters, ...page } });
export const get = (id: string) => api.get<Nomination>(one(id));
export const create = (body: NewNomination) => api.post<Nomination>('/nominations', body);
export const concur = (id: string) => api.post<Nomination>(one(id, 'concur'));
export const decline = (id: string) => api.post<Nomination>(one(id, 'decline'));
export const rescind = (id: string) => api.post<Nomination>(one(id, 'rescind'));
