// Designation requests (DESIGN.md §2.2): the developer's filing and the reviewers' queue. The
// list's filters (status, model_id, q, assigned) are all applied by the server.
import { api, seg, type PageParams } from './client';
import type {
  DesignationRequest,
  DesignationRequestSummary,
  EditDesignationRequest,
  Message,
  NewConsultation,
  NewDesignationRequest,
  NewDetermination,
  Page,
  RequestFilters,
} from './types';

const base = '/designation-requests';
const one = (id: string, action = '') => `${base}/${seg(id)}${action ? `/${action}` : ''}`;

export const list = (filters: RequestFilters = {}, page: PageParams = {}) =>
  api.get<Page<DesignationRequestSummary>>(base, { query: { ...filters, ...page } });
export const get = (id: string) => api.get<DesignationRequest>(one(id));
export const create = (body: NewDesignationRequest) => api.post<DesignationRequest>(base, body);
export const edit = (id: string, body: EditDesignationRequest) => api.patch<DesignationRequest>(one(id), body);
export const submit = (id: string) => api.post<DesignationRequest>(one(id, 'submit'));
export const withdraw = (id: string) => api.post<DesignationRequest>(one(id, 'withdraw'));
export const respond = (id: string, message: string) => api.post<DesignationRequest>(one(id, 'respond'), { message });
export const assign = (id: string, userId: string) => api.post<DesignationRequest>(one(id, 'assign'), { user_id: userId });
export const requestInfo = (id: string, message: string) => api.post<DesignationRequest>(one(id, 'request-info'), { message });
export const consult = (id: string, body: NewConsultation) => api.post<DesignationRequest>(one(id, 'consultations'), body);
export const determine = (id: string, body: NewDetermination) => api.post<DesignationRequest>(one(id, 'determination'), body);
export const messages = (id: string, page: PageParams = {}) => api.get<Page<Message>>(one(id, 'messages'), { query: { ...page } });
export const postMessage = (id: string, body: string) => api.post<Message>(one(id, 'messages'), { body });
