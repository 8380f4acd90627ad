import { describe, expect, it } from 'vitest';
import { shownStatus } from '../../src/lib/labels';

describe('shownStatus', () => {
  it('reads "declined" only for a grant awaiting terms that every grantee declined', () => {
    const at = '2026-12-03T09:00:00Z';
    expect(shownStatus('awaiting_terms', [{ declined_at: at }, { declined_at: at }])).toBe('declined');
    expect(shownStatus('awaiting_terms', [{ declined_at: at }, { declined_at: null }])).toBe('awaiting_terms');
    expect(shownStatus('awaiting_terms', [])).toBe('awaiting_terms');
    // Ended, revoked or expired windows keep their derived status: those are the developer's acts.
    expect(shownStatus('ended', [{ declined_at: at }])).toBe('ended');
    expect(shownStatus('revoked', [{ declined_at: at }])).toBe('revoked');
  });
});
