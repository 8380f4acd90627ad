import { useState } from 'react';
import type { AuditEvent } from '../api/types';
import { usePaged } from '../lib/hooks';
import { DateTime, LoadMore, Loading, ProblemAlert } from './ui';

/** The audit events on one record, loaded only when the reader opens the section. */
export function AuditTrail({ targetId }: { targetId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="fap-details" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Activity history (audit trail)</summary>
      {open && <AuditList targetId={targetId} />}
    </details>
  );
}

function AuditList({ targetId }: { targetId: string }) {
  const list = usePaged<AuditEvent>('/audit-events', { target_id: targetId });
  if (list.error) return <ProblemAlert error={list.error} heading="The activity history could not be loaded" />;
  if (list.loading && list.items.length === 0) return <Loading />;
  if (list.items.length === 0) return <p>No recorded activity.</p>;
  return (
    <>
      <ol className="fap-audit">
        {list.items.map((ev) => (
          <li key={ev.seq ?? ev.id}>
            <DateTime value={ev.occurred_at} /> — <code>{ev.action}</code>
            {ev.actor_name ? ` by ${ev.actor_name}` : ''}
            {ev.actor_org_name ? ` (${ev.actor_org_name})` : ''}
          </li>
        ))}
      </ol>
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
    </>
  );
}
