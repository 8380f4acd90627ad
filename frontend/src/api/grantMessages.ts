// The message thread of a grant: the same two calls under /access-grants/{id} and /partner-grants/{id}.
import { api, type PageParams } from './client';
import type { GrantMessage, Page } from './types';

export interface GrantMessagesApi {
  /** The grant's path: which thread this is. */
  key: string;
  list: (page?: PageParams) => Promise<Page<GrantMessage>>;
  post: (body: string) => Promise<GrantMessage>;
}

export function messagesAt(grantPath: string): GrantMessagesApi {
  return {
    key: grantPath,
    list: (page = {}) => api.get<Page<GrantMessage>>(`${grantPath}/messages`, { query: { ...page } }),
    post: (body) => api.post<GrantMessage>(`${grantPath}/messages`, { body }),
  };
}
