import { afterEach, describe, expect, it, vi } from 'vitest';
import { render } from '@testing-library/react';
import { ApiError } from '../../src/api/client';
import { actionText, actorText, shortId } from '../../src/components/AuditTrail';
import { problemHeading, TimeRemaining } from '../../src/components/ui';
import { capMessage } from '../../src/pages/Grants';
import { OUTCOME_OPTIONS, plainWords, SECTOR_OPTIONS, sectorLabel, statusLabel } from '../../src/lib/labels';
import { formatDuration, MS_DAY, MS_HOUR } from '../../src/lib/dates';

afterEach(() => vi.useRealTimers());

describe('audit trail wording', () => {
  const me = { userId: 'me', orgId: 'my-org' };
  const ev = { seq: 1, occurred_at: '2026-06-01T00:00:00Z', action: 'grant.access_logged', target_type: 'access_grant', target_id: 't' };

  it('uses the server names when present', () => {
    expect(actorText({ ...ev, actor_user_id: 'u', actor_name: 'Morgan Hale', actor_org_id: 'o', actor_org_name: 'NSA' }, me)).toBe('by Morgan Hale (NSA)');
  });

  it('falls back to names the page knows, then to the distinguishing end of the id', () => {
    const id = '01a213c0-19d1-7420-8367-001f0469cf24';
    expect(shortId(id)).toBe('…0469cf24');
    expect(actorText({ ...ev, actor_user_id: id, actor_org_id: 'o' }, me, { o: 'National Security Agency' })).toBe(
      'by user …0469cf24 (National Security Agency)',
    );
    expect(actorText({ ...ev, actor_user_id: 'me', actor_org_id: 'my-org' }, me)).toBe('by you');
    expect(actorText({ ...ev, actor_user_id: null, actor_org_id: null }, me)).toBe('by the portal');
  });

  it('reads actions as words', () => {
    expect(actionText('grant.access_logged')).toBe('Grant: access logged');
    expect(actionText('designation_request.submitted')).toBe('Designation request: submitted');
  });
});

describe('TimeRemaining', () => {
  it('matches the countdown (floored days and hours) for an active window', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-01T00:30:00Z'));
    const end = new Date(Date.parse('2026-06-01T00:30:00Z') + 28 * MS_DAY - 30 * 60_000).toISOString();
    const { container } = render(<TimeRemaining status="active" startsAt="2026-05-01T00:00:00Z" endsAt={end} />);
    // 27 days 23 h 30 min → "27 days 23 h", never a rounded "28".
    expect(container.textContent).toBe('27 days 23 h');
    expect(formatDuration(28 * MS_DAY - 30 * 60_000)).toBe('27 days 23 h');
  });

  it('gives the window length before it opens and "none" once closed', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-01T00:00:00Z'));
    const s = '2026-06-05T00:00:00Z';
    const e = new Date(Date.parse(s) + 10 * MS_DAY + 2 * MS_HOUR).toISOString();
    expect(render(<TimeRemaining status="scheduled" startsAt={s} endsAt={e} />).container.textContent).toBe('10 days 2 h, from when it opens');
    expect(render(<TimeRemaining status="expired" startsAt={s} endsAt={e} />).container.textContent).toBe('None (expired)');
  });
});

describe('capMessage', () => {
  const problem = {
    status: 422,
    code: 'window_cap_exceeded',
    detail: 'over the cap',
    errors: [{ field: 'ends_at', message: 'over the cap' }],
    granted_days: 10,
    remaining_days: 20,
    requested_days: 35,
  };
  it('states the window, the days granted and the days remaining', () => {
    const msg = capMessage(new ApiError(problem), 25)!;
    expect(msg).toContain('This window is 25 days');
    expect(msg).toContain('only 20 of the model’s 30 Government days remain (10 already granted)');
  });
  it('passes other field errors through', () => {
    const other = new ApiError({ status: 422, code: 'window_after_release', errors: [{ field: 'ends_at', message: 'after the release' }] });
    expect(capMessage(other, 5)).toBe('After the release');
    expect(capMessage(null, 5)).toBeUndefined();
  });
});

describe('sectors', () => {
  it('sends the API codes and shows the names', () => {
    expect(SECTOR_OPTIONS).toHaveLength(16);
    expect(SECTOR_OPTIONS.find((o) => o.value === 'water_and_wastewater_systems')?.label).toBe('Water and Wastewater Systems');
    expect(sectorLabel('healthcare_and_public_health')).toBe('Healthcare and Public Health');
    expect(sectorLabel('Something else')).toBe('Something else');
  });
});

describe('plain words', () => {
  it('shows API values in messages with the labels the forms use', () => {
    expect(plainWords('must be one of: federal_agency, state_local_authority')).toBe('must be one of: “Federal agency”, “State or local authority”');
    expect(plainWords('occurred_at is in the future')).toBe('occurred at is in the future');
    expect(OUTCOME_OPTIONS.find((o) => o.value === 'not_covered')?.label).toBe(statusLabel('not_covered'));
  });
  it('titles problems in words, never the HTTP reason phrase', () => {
    expect(problemHeading(404)).toBe('We could not find this');
    expect(problemHeading(409)).toBe('This cannot be done right now');
    expect(problemHeading(403)).toBe('You are not allowed to do this');
    expect(problemHeading(502)).toBe('Something went wrong on our side');
  });
  it('turns a field error message into plain words', () => {
    const e = new ApiError({ status: 422, code: 'validation_failed', errors: [{ field: 'position', message: 'must be one of: concur, non_concur, no_comment' }] });
    // Single words stay (they may be prose); snake_case values become their labels.
    expect(e.fieldErrors.position).toBe('Must be one of: concur, “Does not concur”, “No comment”');
  });
});
