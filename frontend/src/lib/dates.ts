// Date helpers. The API speaks RFC 3339 UTC; people read their own time zone, with the
// zone always named, and the exact UTC value is offered on hover (see <DateTime>).

export const MS_MINUTE = 60_000;
export const MS_HOUR = 60 * MS_MINUTE;
export const MS_DAY = 24 * MS_HOUR;

export function userTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

function toDate(value: string | Date): Date | null {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export interface FormatOptions {
  timeZone?: string;
  locale?: string;
}

/** "Jun 2, 2026, 10:00 AM EDT" in the given (default: the user's) time zone. */
export function formatDateTime(value: string | Date | null | undefined, opts: FormatOptions = {}): string {
  if (value == null || value === '') return '—';
  const d = toDate(value);
  if (!d) return String(value);
  return new Intl.DateTimeFormat(opts.locale ?? 'en-US', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone: opts.timeZone ?? userTimeZone(),
    timeZoneName: 'short',
  }).format(d);
}

/** "Jun 2, 2026" in the given (default: the user's) time zone. */
export function formatDate(value: string | Date | null | undefined, opts: FormatOptions = {}): string {
  if (value == null || value === '') return '—';
  const d = toDate(value);
  if (!d) return String(value);
  return new Intl.DateTimeFormat(opts.locale ?? 'en-US', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: opts.timeZone ?? userTimeZone(),
  }).format(d);
}

/** "2026-06-02 14:00:00 UTC": the unambiguous value, for titles and exports. */
export function formatUtc(value: string | Date | null | undefined): string {
  if (value == null || value === '') return '';
  const d = toDate(value);
  if (!d) return String(value);
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** Short name of a zone at an instant, e.g. "EDT" or "GMT+2". */
export function zoneAbbreviation(timeZone = userTimeZone(), at: Date = new Date()): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? timeZone;
}

/**
 * "12 days 4 h left", "3 h 20 min left", "less than a minute left".
 * Counts down to `end` from `now`; returns "ended" once the end has passed.
 */
export function formatRemaining(end: string | Date, now: Date = new Date()): string {
  const e = toDate(end);
  if (!e) return '';
  const ms = e.getTime() - now.getTime();
  if (ms <= 0) return 'ended';
  return `${formatSpan(now, e)} left`;
}

/**
 * The length from `start` to `end` as the reader's wall clock counts it: across a daylight
 * saving change, 10:00 on March 1 to 10:00 on June 27 is "118 days", not "117 days 23 h".
 * (Only the words: the 30-day cap itself is measured in elapsed time on the server.)
 */
export function formatSpan(start: string | Date | number, end: string | Date | number): string {
  const s = typeof start === 'number' ? new Date(start) : toDate(start);
  const e = typeof end === 'number' ? new Date(end) : toDate(end);
  if (!s || !e) return '';
  const elapsed = e.getTime() - s.getTime();
  if (elapsed < MS_MINUTE) return formatDuration(elapsed);
  const shift = (s.getTimezoneOffset() - e.getTimezoneOffset()) * MS_MINUTE;
  return formatDuration(elapsed + shift);
}

/** "12 days 4 h", "1 day", "3 h 20 min", "5 min", "less than a minute". */
export function formatDuration(ms: number): string {
  if (ms < MS_MINUTE) return 'less than a minute';
  const days = Math.floor(ms / MS_DAY);
  const hours = Math.floor((ms % MS_DAY) / MS_HOUR);
  const minutes = Math.floor((ms % MS_HOUR) / MS_MINUTE);
  if (days > 0) {
    const d = `${days} day${days === 1 ? '' : 's'}`;
    return hours > 0 ? `${d} ${hours} h` : d;
  }
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  return `${minutes} min`;
}

/** Length of a window in days, as a decimal (for "this window is 14.5 days"). */
export function daysBetween(start: string | Date, end: string | Date): number {
  const s = toDate(start);
  const e = toDate(end);
  if (!s || !e) return NaN;
  return (e.getTime() - s.getTime()) / MS_DAY;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The value for an <input type="datetime-local">, in the browser's zone: "2026-06-02T10:00". */
export function toLocalInput(value: string | Date | null | undefined): string {
  if (value == null || value === '') return '';
  const d = toDate(value);
  if (!d) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An <input type="datetime-local"> value (browser zone) as RFC 3339 UTC, or null if empty/invalid. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return null;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The date part of a timestamp for <input type="date">, in the browser's zone. */
export function toLocalDateInput(value: string | null | undefined): string {
  const v = toLocalInput(value);
  return v ? v.slice(0, 10) : '';
}

/**
 * A calendar date such as `requested_response_by` ("2026-12-15": a day, with no time and no
 * zone) as "Dec 15, 2026": the same day in every zone. Reading it as an instant would shift it
 * (Dec 15 at midnight UTC is Dec 14 in New York), so it is formatted in UTC, where the day's
 * midnight is that day.
 */
export function formatCalendarDate(value: string | null | undefined, opts: Pick<FormatOptions, 'locale'> = {}): string {
  if (value == null || value === '') return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return String(value);
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(opts.locale ?? 'en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(d);
}

/** Today in the browser's zone as an <input type="date"> value ("2026-12-15"), e.g. for `min`. */
export function todayDateInput(now: Date = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
