// The roster of a grant: the same three calls under /access-grants/{id} and /partner-grants/{id}.
import { api, seg, type PageParams } from './client';
import type { Page, RosterEntry } from './types';

export interface RosterApi {
  /** The grant's path: which roster this is. */
  key: string;
  list: (page?: PageParams) => Promise<Page<RosterEntry>>;
  add: (userId: string) => Promise<RosterEntry>;
  remove: (userId: string) => Promise<RosterEntry>;
}

export function rosterAt(grantPath: string): RosterApi {
  return {
    key: grantPath,
    list: (page = {}) => api.get<Page<RosterEntry>>(`${grantPath}/roster`, { query: { ...page } }),
    add: (userId) => api.post<RosterEntry>(`${grantPath}/roster`, { user_id: userId }),
    remove: (userId) => api.del<RosterEntry>(`${grantPath}/roster/${seg(userId)}`),
  };
}
