// Versioned, immutable terms (DESIGN.md §2.3).
import { api, seg, type PageParams } from './client';
import type { NewTerms, Page, Terms, TermsAcceptance, TermsSummary } from './types';

export const list = (page: PageParams = {}) => api.get<Page<TermsSummary>>('/terms', { query: { ...page } });
export const get = (id: string) => api.get<Terms>(`/terms/${seg(id)}`);
export const create = (body: NewTerms) => api.post<Terms>('/terms', body);
/** Every acceptance of a terms version on the caller's own grants (developer organizations). */
export const acceptances = (id: string, page: PageParams = {}) => api.get<Page<TermsAcceptance>>(`/terms/${seg(id)}/acceptances`, { query: { ...page } });

/** All pages of `acceptances`, oldest first: the printable record. */
export async function allAcceptances(id: string): Promise<TermsAcceptance[]> {
  const out: TermsAcceptance[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<TermsAcceptance> = await acceptances(id, { limit: 200, cursor });
    out.push(...page.items);
    cursor = page.next_cursor ?? null;
  } while (cursor);
  return out.reverse();
}
