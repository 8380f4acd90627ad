import { describe, expect, it } from 'vitest';
import {
  daysBetween,
  formatDate,
  formatDateTime,
  formatCalendarDate,
  formatDuration,
  formatRemaining,
  formatSpan,
  formatUtc,
  fromLocalInput,
  todayDateInput,
  toLocalInput,
  MS_DAY,
  MS_HOUR,
  MS_MINUTE,
} from '../../src/lib/dates';

describe('formatDateTime', () => {
  it('shows the time in the given zone and names the zone', () => {
    expect(formatDateTime('2026-06-02T14:00:00Z', { timeZone: 'America/New_York' })).toBe('Jun 2, 2026, 10:00 AM EDT');
    expect(formatDateTime('2026-12-02T14:00:00Z', { timeZone: 'America/New_York' })).toBe('Dec 2, 2026, 9:00 AM EST');
    expect(formatDateTime('2026-06-02T14:00:00Z', { timeZone: 'UTC' })).toBe('Jun 2, 2026, 2:00 PM UTC');
  });

  it('crosses the date line correctly', () => {
    expect(formatDateTime('2026-06-02T23:30:00Z', { timeZone: 'Asia/Tokyo' })).toMatch(/^Jun 3, 2026, 8:30 AM GMT\+9$/);
  });

  it('shows a dash for missing values and echoes unparseable ones', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('')).toBe('—');
    expect(formatDateTime('not a date')).toBe('not a date');
  });

  it('formatDate gives the calendar day in the zone', () => {
    expect(formatDate('2026-06-03T02:00:00Z', { timeZone: 'America/Los_Angeles' })).toBe('Jun 2, 2026');
  });
});

describe('formatUtc', () => {
  it('gives an unambiguous UTC value for titles', () => {
    expect(formatUtc('2026-06-02T14:00:00Z')).toBe('2026-06-02 14:00:00 UTC');
    expect(formatUtc('2026-06-02T10:00:00-04:00')).toBe('2026-06-02 14:00:00 UTC');
    expect(formatUtc(undefined)).toBe('');
  });
});

describe('countdowns', () => {
  const now = new Date('2026-06-02T12:00:00Z');
  it('days and hours', () => {
    expect(formatRemaining(new Date(now.getTime() + 12 * MS_DAY + 4 * MS_HOUR + 59 * MS_MINUTE), now)).toBe('12 days 4 h left');
    expect(formatRemaining(new Date(now.getTime() + MS_DAY), now)).toBe('1 day left');
  });
  it('hours and minutes under a day', () => {
    expect(formatRemaining(new Date(now.getTime() + 3 * MS_HOUR + 20 * MS_MINUTE), now)).toBe('3 h 20 min left');
    expect(formatRemaining(new Date(now.getTime() + 5 * MS_MINUTE), now)).toBe('5 min left');
    expect(formatRemaining(new Date(now.getTime() + 30_000), now)).toBe('less than a minute left');
  });
  it('says ended once the end has passed', () => {
    expect(formatRemaining('2026-06-02T11:59:59Z', now)).toBe('ended');
    expect(formatRemaining('2026-06-02T12:00:00Z', now)).toBe('ended');
  });
  it('formatDuration singular/plural', () => {
    expect(formatDuration(2 * MS_DAY)).toBe('2 days');
    expect(formatDuration(MS_HOUR)).toBe('1 h');
  });
});

describe('formatSpan', () => {
  it('counts a window across a daylight saving change in wall-clock days', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      // 10:00 EST on March 1 to 10:00 EDT on June 27: 117 days 23 h of elapsed time.
      const start = new Date('2026-03-01T15:00:00Z');
      const end = new Date('2026-06-27T14:00:00Z');
      expect(end.getTime() - start.getTime()).toBe(117 * MS_DAY + 23 * MS_HOUR);
      expect(start.getTimezoneOffset()).not.toBe(end.getTimezoneOffset());
      expect(formatSpan(start, end)).toBe('118 days');
      // And back across the November change.
      expect(formatSpan('2026-10-20T14:00:00Z', '2026-11-10T15:00:00Z')).toBe('21 days');
      expect(formatRemaining(end, start)).toBe('118 days left');
    } finally {
      process.env.TZ = zone;
    }
  });
  it('is the elapsed time when no change lies between', () => {
    expect(formatSpan('2026-06-02T12:00:00Z', '2026-06-04T15:30:00Z')).toBe('2 days 3 h');
    expect(formatSpan('2026-06-02T12:00:00Z', '2026-06-02T12:00:30Z')).toBe('less than a minute');
  });
});

describe('datetime-local round trip', () => {
  it('reads the input in the browser zone and sends UTC', () => {
    const iso = fromLocalInput('2026-06-02T10:00');
    expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(toLocalInput(iso!)).toBe('2026-06-02T10:00');
    const offsetMin = new Date(2026, 5, 2, 10, 0).getTimezoneOffset();
    expect(Date.parse(iso!)).toBe(Date.UTC(2026, 5, 2, 10, 0) + offsetMin * MS_MINUTE);
  });
  it('rejects empty or malformed values', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('2026-06-02')).toBeNull();
    expect(fromLocalInput('tomorrow')).toBeNull();
  });
  it('daysBetween', () => {
    expect(daysBetween('2026-06-01T00:00:00Z', '2026-06-15T12:00:00Z')).toBe(14.5);
  });
});

describe('calendar dates', () => {
  it('shows a date-only value as that day, whatever the zone (Dec 15 stays Dec 15 in Tokyo and New York)', () => {
    const zones = ['Asia/Tokyo', 'America/New_York', 'Pacific/Honolulu', 'Pacific/Kiritimati', 'UTC'];
    const saved = process.env.TZ;
    try {
      for (const tz of zones) {
        process.env.TZ = tz;
        expect(formatCalendarDate('2026-12-15')).toBe('Dec 15, 2026');
      }
    } finally {
      process.env.TZ = saved;
    }
    // An instant read in a zone is another day: why dates are not formatted as instants.
    expect(formatDate('2026-12-15T00:00:00Z', { timeZone: 'America/New_York' })).toBe('Dec 14, 2026');
  });

  it('shows a dash when missing and echoes what is not a date', () => {
    expect(formatCalendarDate(null)).toBe('—');
    expect(formatCalendarDate('')).toBe('—');
    expect(formatCalendarDate('soon')).toBe('soon');
  });

  it('today as a date input value, in the browser zone', () => {
    expect(todayDateInput(new Date(2026, 11, 5, 23, 30))).toBe('2026-12-05');
  });
});
