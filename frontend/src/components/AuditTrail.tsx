import { useState } from 'react';
import * as auditApi from '../api/audit';
import type { AuditEvent } from '../api/types';
import { useRole } from '../auth/AuthContext';
import { usePaged } from '../lib/hooks';
import { humanize } from '../lib/labels';
import { DateTime, LoadMore, Loading, ProblemAlert } from './ui';

/**
 * A short, readable form of a UUID for when the server gives no name. App ids are UUID v7,
 * whose first characters are a timestamp shared by records created together, so the
 * distinguishing part is the end.
 */
export function shortId(id: string | null | undefined): string {
  if (!id) return '';
  const hex = id.replace(/-/g, '');
  return `…${hex.slice(-8)}`;
}

/** "Morgan Hale (National Security Agency)", "you", or short ids when names are not given. */
export function actorText(
  ev: Pick<AuditEvent, 'actor_user_id' | 'actor_name' | 'actor_org_id' | 'actor_org_name'>,
  me: { userId: string; orgId: string }, known: Record<string, string> = {}): string {
  const uid = ev.actor_user_id ?? '';
  const oid = ev.actor_org_id ?? '';
  const who = uid && uid === me.userId ? 'you' : ev.actor_name || known[uid] || (uid ? `user ${shortId(uid)}` : '');
  const org = ev.actor_org_name || known[oid] || (oid ? (oid === me.orgId ? 'your organization' : `organization ${shortId(oid)}`) : '');
  if (!who) return org ? `by ${org}` : 'by the portal';
  if (who === 'you' || !org) return `by ${who}`;
  return `by ${who} (${org})`;
}

/** "grant.access_logged" → "Grant: access logged". */
export function actionText(action: string): string {
  const [kind, ...rest] = action.split('.');
  if (!rest.length) return humanize(action);
  return `${humanize(kind.replace(/_/g, ' '))}: ${rest.join(' ').replace(/_/g, ' ')}`;
}

/** The audit events on one record, loaded only when the reader opens the section. */
export function AuditTrail({ targetId, knownNames }: { targetId: string; knownNames?: Record<string, string> }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="fap-details" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Activity history (audit trail)</summary>
      {open && <AuditList targetId={targetId} knownNames={knownNames} />}
    </details>
  );
}

/** `knownNames`: user and organization names by id that the page already has (used when the server sends none). */
function AuditList({ targetId, knownNames }: { targetId: string; knownNames?: Record<string, string> }) {
  const role = useRole();
  const list = usePaged((p) => auditApi.list({ target_id: targetId }, p), [targetId]);
  if (list.error) return <ProblemAlert error={list.error} heading="The activity history could not be loaded" />;
  if (list.loading && list.items.length === 0) return <Loading />;
  if (list.items.length === 0) return <p>No recorded activity.</p>;
  return (
    <>
      <ol className="fap-audit">
        {list.items.map((ev) => (
          <li key={ev.seq ?? ev.id}>
            <DateTime value={ev.occurred_at} /> — <span title={ev.action}>{actionText(ev.action)}</span>{' '}
            <span className="fap-muted">{actorText(ev, role, knownNames)}</span>
            {ev.hash && (
              <span className="fap-audit__seq fap-muted" title={`SHA-256 ${ev.hash}`}>
                {' '}
                · event #{ev.seq}
              </span>
            )}
          </li>
        ))}
      </ol>
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
    </>
  );
}
