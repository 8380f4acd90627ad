// A developer's models (DESIGN.md §2.1); releasing never waits for anyone.
import { api, seg, type PageParams } from './client';
import type { Model, ModelChange, ModelStatus, ModelSummary, NewModel, Page } from './types';

export const list = (filters: { status?: ModelStatus } = {}, page: PageParams = {}) =>
  api.get<Page<ModelSummary>>('/models', { query: { ...filters, ...page } });
export const get = (id: string) => api.get<Model>(`/models/${seg(id)}`);
export const create = (body: NewModel) => api.post<Model>('/models', body);
export const update = (id: string, body: ModelChange) => api.patch<Model>(`/models/${seg(id)}`, body);
export const release = (id: string) => api.post<Model>(`/models/${seg(id)}/release`);
