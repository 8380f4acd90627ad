import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import * as auditApi from '../api/audit';
import type { AuditEvent } from '../api/types';
import { useRole } from '../auth/AuthContext';
import { actionText, actorText, shortId } from '../components/AuditTrail';
import { TextField } from '../components/fields';
import { DateTime, Empty, LoadMore, Loading, PageTitle, ProblemAlert, Section } from '../components/ui';
import { usePaged } from '../lib/hooks';

/** Where a record of an event lives in the web UI (the kinds a developer organization sees). */
const RECORD_PATHS: Record<string, [string, string]> = {
  model: ['/models/', 'Model'],
  designation_request: ['/designation-requests/', 'Designation request'],
  access_grant: ['/access-grants/', 'Government window'],
  nomination: ['/nominations/', 'Nomination'],
  partner_grant: ['/partner-grants/', 'Partner grant'],
  terms_version: ['/terms/', 'Terms'],
};

/** Records with no page of their own: named in words. */
const RECORD_WORDS: Record<string, string> = {
  user: 'Account',
  api_token: 'API token',
  organization: 'Organization',
  session: 'Session',
};

function RecordLink({ ev }: { ev: AuditEvent }) {
  const known = RECORD_PATHS[ev.target_type];
  if (!known)
    return (
      <span>
        {RECORD_WORDS[ev.target_type] ?? ev.target_type.replace(/_/g, ' ')} {shortId(ev.target_id)}
      </span>
    );
  return (
    <Link className="usa-link" to={`${known[0]}${ev.target_id}`}>
      {known[1]} {shortId(ev.target_id)}
    </Link>
  );
}

/**
 * The organization's activity: every audit event on its records, newest first, with the filter
 * (one record) kept in the address and the export of the whole trail (GET /audit-events/export).
 */
export function ActivityPage() {
  const role = useRole();
  const [params, setParams] = useSearchParams();
  const target = params.get('target_id') ?? '';
  const [typed, setTyped] = useState(target);
  useEffect(() => setTyped(target), [target]);
  const events = usePaged((p) => auditApi.list(target ? { target_id: target } : {}, p), [target]);
  return (
    <>
      <PageTitle lead="Everything that happened on your organization’s records, newest first: who did it, when, and on which record. Each event is part of the portal’s hash-chained audit trail.">
        Activity
      </PageTitle>
      <Section title="Export">
        <p>Download every event on your organization’s records, oldest first, with their details and hashes (the export ignores the filter below).</p>
        <div className="fap-actions">
          <a className="usa-button usa-button--outline" href={auditApi.exportUrl('csv')} download>
            Download CSV
          </a>
          <a className="usa-button usa-button--outline" href={auditApi.exportUrl('json')} download>
            Download JSON
          </a>
        </div>
      </Section>
      <Section title="Events">
        <form
          className="usa-form"
          role="search"
          aria-label="Filter the activity"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            const next = new URLSearchParams(params);
            if (typed.trim()) next.set('target_id', typed.trim());
            else next.delete('target_id');
            setParams(next);
          }}
        >
          <TextField
            name="target_id"
            label="Only one record"
            hint="Paste the ID of a model, request, window, nomination, partner grant or terms version (it is at the end of the record’s address)."
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            spellCheck={false}
          />
          <div className="fap-actions margin-top-2">
            <button type="submit" className="usa-button">
              Filter
            </button>
            {target && (
              <button
                type="button"
                className="usa-button usa-button--unstyled"
                onClick={() => {
                  const next = new URLSearchParams(params);
                  next.delete('target_id');
                  setParams(next);
                }}
              >
                Show all activity
              </button>
            )}
          </div>
        </form>
        <ProblemAlert error={events.error} />
        {events.loading && events.items.length === 0 ? (
          <Loading />
        ) : events.items.length === 0 && !events.error ? (
          <Empty>
            <p>{target ? 'No events on this record. Check the ID: events of records your organization cannot see are never shown.' : 'No activity yet.'}</p>
          </Empty>
        ) : (
          <div className="fap-table-wrap">
            <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
              <caption className="usa-sr-only">Events on your organization’s records, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">Who</th>
                  <th scope="col">Record</th>
                </tr>
              </thead>
              <tbody>
                {events.items.map((ev) => (
                  <tr key={ev.seq}>
                    <th scope="row" data-label="When">
                      <DateTime value={ev.occurred_at} />
                    </th>
                    <td data-label="What">
                      <span title={ev.action}>{actionText(ev.action)}</span>
                    </td>
                    <td data-label="Who">{actorText(ev, role).replace(/^by /, '')}</td>
                    <td data-label="Record">
                      <RecordLink ev={ev} />
                      {!target && (
                        <Link className="usa-link display-block font-body-2xs" to={`/activity?target_id=${encodeURIComponent(ev.target_id)}`}>
                          All its activity
                        </Link>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore hasMore={events.hasMore} loading={events.loading} onClick={() => void events.loadMore()} />
      </Section>
    </>
  );
}
