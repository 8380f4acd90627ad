import { useEffect, useRef, type ReactNode } from 'react';
import { Alert, AlertHeading, AlertText } from '@trussworks/react-uswds';
import { Link } from 'react-router';
import { sentence, type ApiError } from '../api/client';
import { formatCalendarDate, formatDate, formatDateTime, formatRemaining, formatSpan, formatUtc } from '../lib/dates';
import { humanize, plainWords, statusLabel, statusTone } from '../lib/labels';
import { useNow } from '../lib/hooks';

/** A timestamp in the reader's zone (zone named), exact UTC on hover and for assistive tech. */
export function DateTime({ value, dateOnly = false }: { value: string | null | undefined; dateOnly?: boolean }) {
  if (!value) return <span>—</span>;
  return (
    <time dateTime={value} title={formatUtc(value)}>
      {dateOnly ? formatDate(value) : formatDateTime(value)}
    </time>
  );
}

/** A calendar date ("2026-12-15", no time, no zone) as the same day for every reader. */
export function CalendarDate({ value }: { value: string | null | undefined }) {
  if (!value) return <span>—</span>;
  return <time dateTime={value}>{formatCalendarDate(value)}</time>;
}

/** "12 days 4 h left", refreshed every minute. */
export function Countdown({ end, prefix }: { end: string; prefix?: string }) {
  const now = useNow();
  const text = formatRemaining(end, now);
  return (
    <span className="fap-countdown">
      {prefix}
      {text}
    </span>
  );
}

/**
 * "Days remaining" of a grant, from the same clock and rounding as <Countdown> (floored
 * days and hours), so the facts and the countdown line never disagree.
 */
export function TimeRemaining({ status, startsAt, endsAt }: { status: string; startsAt: string; endsAt: string }) {
  const now = useNow();
  const start = Date.parse(startsAt);
  const end = Date.parse(endsAt);
  if (status === 'active') return <>{end > now.getTime() ? formatSpan(now.getTime(), end) : 'less than a minute'}</>;
  if ((status === 'scheduled' || status === 'awaiting_terms') && end > start) {
    const dur = formatSpan(Math.max(start, now.getTime()), end);
    return <>{status === 'awaiting_terms' ? `${dur}, once the terms are accepted` : `${dur}, from when it opens`}</>;
  }
  return <>{`None (${statusLabel(status).toLowerCase()})`}</>;
}

export function StatusTag({ status, label }: { status: string; label?: string }) {
  return <span className={`fap-tag fap-tone--${statusTone(status)}`}>{label ?? statusLabel(status)}</span>;
}

/** The page's <h1>; sets the document title and takes focus after navigation. */
export function PageTitle({ children, title, lead }: { children: ReactNode; title?: string; lead?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const text = title ?? (typeof children === 'string' ? children : '');
  useEffect(() => {
    document.title = text ? `${text} · Frontier Access Portal` : 'Frontier Access Portal';
  }, [text]);
  useEffect(() => {
    // Move focus to the new page's heading so screen-reader users hear the change.
    if (document.activeElement === document.body || document.activeElement?.closest('nav, header')) {
      ref.current?.focus({ preventScroll: true });
    }
  }, []);
  return (
    <>
      <h1 ref={ref} tabIndex={-1} className="fap-page-title">
        {children}
      </h1>
      {lead && <p className="usa-intro fap-lead">{lead}</p>}
    </>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="fap-loading" role="status" aria-live="polite">
      <span className="fap-spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="fap-empty">{children}</div>;
}

/** The visible label of a form field, for the error summary ("Summary: is required"). */
function fieldLabel(field: string): string {
  const el = typeof document !== 'undefined' ? document.getElementById(fieldId(field)) : null;
  const label = el && 'labels' in el ? (el as HTMLInputElement).labels?.[0] : null;
  const legend = el?.querySelector?.('legend');
  const text = (label ?? legend)?.textContent?.replace(/\s*\*\s*$|\s*\(optional\)\s*$/g, '').trim();
  return text || humanize(field);
}

function summaryLine(field: string, message: string): string {
  if (!message) return fieldLabel(field);
  if (!field) return sentence(plainWords(message));
  return `${fieldLabel(field)}: ${plainWords(message)}`;
}

/** A problem's heading in words (never the HTTP reason phrase: "Not Found", "Conflict"). */
const PROBLEM_HEADINGS: Record<number, string> = {
  0: 'The portal could not be reached',
  400: 'The portal could not read this request',
  401: 'Please sign in again',
  403: 'You are not allowed to do this',
  404: 'We could not find this',
  405: 'This action is not available here',
  409: 'This cannot be done right now',
  413: 'This is too large to send',
  422: 'Please check what you entered',
  429: 'Too many attempts',
  503: 'The portal is busy',
};

export function problemHeading(status: number): string {
  return PROBLEM_HEADINGS[status] ?? (status >= 500 ? 'Something went wrong on our side' : 'Something went wrong');
}

/** Shows an API problem: its detail, plus a summary of field errors linking to the fields. */
export function ProblemAlert({ error, heading }: { error: ApiError | null | undefined; heading?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error) return null;
  const fieldErrors = error.problem.errors ?? [];
  const title =
    heading ??
    (error.status === 422 && fieldErrors.length > 0
      ? 'Please correct the highlighted fields'
      : problemHeading(error.status));
  return (
    <div ref={ref} tabIndex={-1} className="fap-focus-target">
      <Alert type="error" role="alert" className="margin-y-2">
        <AlertHeading level="h2">{title}</AlertHeading>
        {error.message && error.message !== title && !(fieldErrors.length === 1 && fieldErrors[0].message === error.message) && !(error.code === 'validation_failed' && fieldErrors.length > 0) && (
          <AlertText>{error.message}</AlertText>
        )}
        {fieldErrors.length > 0 && (
          <ul className="usa-list margin-top-1">
            {fieldErrors.map((fe, i) => (
              <li key={i}>
                <a href={`#${fieldId(fe.field)}`}>{summaryLine(fe.field, fe.message)}</a>
              </li>
            ))}
          </ul>
        )}
      </Alert>
    </div>
  );
}

export function SuccessAlert({ children, heading }: { children: ReactNode; heading?: string }) {
  return (
    <div role="status">
      <Alert type="success" slim={!heading} className="margin-y-2">
        {heading && <AlertHeading level="h2">{heading}</AlertHeading>}
        <AlertText>{children}</AlertText>
      </Alert>
    </div>
  );
}

export function InfoAlert({ children, heading, slim }: { children: ReactNode; heading?: string; slim?: boolean }) {
  return (
    <Alert type="info" slim={slim} className="margin-y-2">
      {heading && <AlertHeading level="h2">{heading}</AlertHeading>}
      <AlertText>{children}</AlertText>
    </Alert>
  );
}

/** Sec. 3(c): shown wherever a developer acts. */
export function VoluntaryNotice() {
  return (
    <div className="fap-voluntary" role="note">
      <strong>Participation is voluntary.</strong> Nothing here requires Government approval: you can withdraw, end,
      revoke or release at any time.
    </div>
  );
}

export function fieldId(name: string): string {
  return `field-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
}

export function LoadMore({ hasMore, loading, onClick }: { hasMore: boolean; loading: boolean; onClick: () => void }) {
  if (!hasMore) return null;
  return (
    <button type="button" className="usa-button usa-button--outline margin-top-2" onClick={onClick} disabled={loading}>
      {loading ? 'Loading…' : 'Load more'}
    </button>
  );
}

/** A definition list of label/value pairs. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="fap-facts">
      {items.map(([k, v]) => (
        <div key={k} className="fap-facts__row">
          <dt>{k}</dt>
          <dd>{v ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

export function BackLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <p className="margin-top-0 margin-bottom-1">
      <Link to={to} className="usa-link">
        ‹ {children}
      </Link>
    </p>
  );
}

/** Loading / error / content switch for a fetched record. */
export function Loaded<T>({
  resource,
  children,
  label,
}: {
  resource: { data: T | null; error: ApiError | null; loading: boolean };
  children: (data: T) => ReactNode;
  label?: string;
}) {
  if (resource.data) return <>{children(resource.data)}</>;
  // The page's own heading and document title say what happened (never the last page's title).
  if (resource.error)
    return (
      <>
        <PageTitle>{problemHeading(resource.error.status)}</PageTitle>
        <ProblemAlert error={resource.error} heading={resource.error.status === 404 ? 'Not here, or not yours to see' : 'What happened'} />
        <p>
          <Link className="usa-link" to="/">
            Go to your dashboard
          </Link>
        </p>
      </>
    );
  return <Loading label={label} />;
}

/** Preserve line breaks of user-written text without HTML. */
export function Prose({ text }: { text: string | null | undefined }) {
  if (!text) return <p className="text-base">—</p>;
  return <div className="fap-prose">{text}</div>;
}

export function Section({ title, children, id, actions }: { title: string; children: ReactNode; id?: string; actions?: ReactNode }) {
  const hid = id ?? `sec-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className="fap-section" aria-labelledby={hid}>
      <div className="fap-section__head">
        <h2 id={hid}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** Shown above a form that was filled from a saved draft (lib/drafts.ts). */
export function DraftNotice({ draft }: { draft: { restored: boolean; clear: () => void } }) {
  if (!draft.restored) return null;
  return (
    <Alert type="info" slim className="margin-y-2 fap-draft-notice" role="status">
      <AlertText>
        We restored what you had typed.{' '}
        <button type="button" className="usa-button usa-button--unstyled" onClick={draft.clear}>
          Discard it and start over
        </button>
      </AlertText>
    </Alert>
  );
}
