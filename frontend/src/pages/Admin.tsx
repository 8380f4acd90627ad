import { useState } from 'react';
import * as adminApi from '../api/admin';
import * as auditApi from '../api/audit';
import type { AdminUser, AuditVerify, NewOrganization } from '../api/types';
import { useMe, useRole } from '../auth/AuthContext';
import { actionText, actorText } from '../components/AuditTrail';
import { ConfirmAction } from '../components/ConfirmAction';
import { SelectField, SubmitButton, TextField } from '../components/fields';
import { DateTime, Empty, InfoAlert, LoadMore, Loading, PageTitle, ProblemAlert, Section, StatusTag, SuccessAlert } from '../components/ui';
import { useAction, usePaged } from '../lib/hooks';
import { AGENCY_LABELS, PARTNER_TYPE_LABELS, SECTOR_OPTIONS, sectorLabel, humanize } from '../lib/labels';

function OperatorOnly({ children }: { children: React.ReactNode }) {
  const role = useRole();
  if (!role.isOperator)
    return (
      <>
        <PageTitle>Not available</PageTitle>
        <p>This page is for the portal’s operators.</p>
      </>
    );
  return <>{children}</>;
}

export function AdminOrganizations() {
  return (
    <OperatorOnly>
      <AdminOrganizationsInner />
    </OperatorOnly>
  );
}

function AdminOrganizationsInner() {
  const list = usePaged(adminApi.organizations, []);
  const blank = { kind: 'agency', name: '', agency_code: '', partner_type: '', sector: '', admin_email: '' };
  const [v, setV] = useState(blank);
  const [created, setCreated] = useState<string | null>(null);
  const action = useAction(async () => {
    // The selects hold the server's values; the server checks them (and reports an empty one).
    const body: NewOrganization = { kind: v.kind as NewOrganization['kind'], name: v.name.trim(), admin_email: v.admin_email.trim() };
    if (v.kind === 'agency') body.agency_code = v.agency_code as NewOrganization['agency_code'];
    if (v.kind === 'partner') {
      body.partner_type = v.partner_type as NewOrganization['partner_type'];
      body.sector = (v.sector || null) as NewOrganization['sector'];
    }
    const { organization: o } = await adminApi.createOrganization(body);
    setCreated(`${o.name} created. ${v.admin_email} has been invited as its first administrator.`);
    setV(blank);
    await list.reload();
  });
  const fe = action.fieldErrors;
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  return (
    <>
      <PageTitle lead="Agencies and trusted partners join by invitation. Developers register themselves.">Organizations</PageTitle>
      <Section title="Add an organization">
        {created && <SuccessAlert>{created}</SuccessAlert>}
        <ProblemAlert error={action.error} />
        <form
          className="usa-form usa-form--large"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            setCreated(null);
            void action.run();
          }}
        >
          <SelectField
            name="kind"
            label="Kind"
            required
            value={v.kind}
            onChange={set('kind')}
            options={[
              { value: 'agency', label: 'Government agency' },
              { value: 'partner', label: 'Trusted partner' },
            ]}
            error={fe.kind}
          />
          <TextField name="name" label="Name" required value={v.name} onChange={set('name')} error={fe.name} />
          {v.kind === 'agency' && (
            <SelectField name="agency_code" label="Agency" required value={v.agency_code} onChange={set('agency_code')} placeholder="- Select -" options={Object.entries(AGENCY_LABELS).map(([value, label]) => ({ value, label }))} error={fe.agency_code} />
          )}
          {v.kind === 'partner' && (
            <>
              <SelectField name="partner_type" label="Type of partner" required value={v.partner_type} onChange={set('partner_type')} placeholder="- Select -" options={Object.entries(PARTNER_TYPE_LABELS).map(([value, label]) => ({ value, label }))} error={fe.partner_type} />
              <SelectField name="sector" label="Critical-infrastructure sector" value={v.sector} onChange={set('sector')} placeholder="- None -" options={SECTOR_OPTIONS} error={fe.sector} />
            </>
          )}
          <TextField name="admin_email" label="First administrator’s email" type="email" required value={v.admin_email} onChange={set('admin_email')} error={fe.admin_email} hint="They receive an invitation link to choose a password." />
          <SubmitButton busy={action.busy} busyLabel="Creating…">
            Create and invite
          </SubmitButton>
        </form>
      </Section>
      <Section title="All organizations">
        <ProblemAlert error={list.error} />
        {list.loading && list.items.length === 0 ? (
          <Loading />
        ) : list.items.length === 0 ? (
          <Empty>
            <p>No organizations.</p>
          </Empty>
        ) : (
          <div className="fap-table-wrap">
            <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
              <caption className="usa-sr-only">Organizations</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Details</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((o) => (
                  <tr key={o.id}>
                    <th scope="row" data-label="Name">
                      {o.name}
                    </th>
                    <td data-label="Kind">{humanize(o.kind)}</td>
                    <td data-label="Details">
                      {o.agency_code ?? (o.partner_type ? `${PARTNER_TYPE_LABELS[o.partner_type] ?? o.partner_type}${o.sector ? ` · ${sectorLabel(o.sector)}` : ''}` : '—')}
                    </td>
                    <td data-label="Created">
                      <DateTime value={o.created_at} dateOnly />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
      </Section>
    </>
  );
}

export function AdminUsers() {
  return (
    <OperatorOnly>
      <AdminUsersInner />
    </OperatorOnly>
  );
}

const USER_STATUS: Record<string, { tone: string; label: string }> = {
  invited: { tone: 'pending', label: 'Invited' },
  active: { tone: 'active', label: 'Active' },
  disabled: { tone: 'revoked', label: 'Disabled' },
};

/** A person's name, or their address while they have none (an invitation not yet accepted). */
const who = (u: AdminUser) => u.name.trim() || u.email;

function AdminUsersInner() {
  const me = useMe();
  const list = usePaged(adminApi.users, []);
  const unavailable = list.error && (list.error.status === 404 || list.error.status === 405);
  const [notice, setNotice] = useState<string | null>(null);
  const [manualId, setManualId] = useState('');
  const manual = useAction(async (disabled: boolean) => {
    await adminApi.setUserDisabled(manualId.trim(), disabled);
    setNotice(`User ${manualId.trim()} ${disabled ? 'disabled' : 'enabled'}.`);
  });
  const setDisabled = async (u: AdminUser, disabled: boolean) => {
    await adminApi.setUserDisabled(u.id, disabled);
    setNotice(`${who(u)} ${disabled ? 'disabled: their sessions and tokens stop working at once' : 'enabled'}.`);
    await list.reload();
  };
  return (
    <>
      <PageTitle lead="Disabling a user takes effect at once: their sessions and API tokens stop working.">Users</PageTitle>
      {notice && <SuccessAlert>{notice}</SuccessAlert>}
      {unavailable ? (
        <>
          <InfoAlert slim>This server does not list users. You can still disable or enable a user by their ID (shown in the audit trail).</InfoAlert>
          <ProblemAlert error={manual.error} />
          <form
            className="usa-form"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void manual.run(true);
            }}
          >
            <TextField name="user_id" label="User ID" required value={manualId} onChange={(e) => setManualId(e.target.value)} spellCheck={false} />
            <div className="fap-actions">
              <SubmitButton busy={manual.busy}>Disable user</SubmitButton>
              <button type="button" className="usa-button usa-button--outline" onClick={() => void manual.run(false)} disabled={manual.busy}>
                Enable user
              </button>
            </div>
          </form>
        </>
      ) : (
        <>
          <ProblemAlert error={list.error} />
          {list.loading && list.items.length === 0 ? (
            <Loading />
          ) : (
            <div className="fap-table-wrap">
              <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
                <caption className="usa-sr-only">Users</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Organization</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="usa-sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((u) => (
                    <tr key={u.id}>
                      <th scope="row" data-label="Name">
                        {u.name.trim() || <span className="fap-muted">Not yet chosen</span>}
                      </th>
                      <td data-label="Email">{u.email}</td>
                      <td data-label="Organization">{u.organization_name ?? '—'}</td>
                      <td data-label="Status">
                        <StatusTag status={USER_STATUS[u.status]?.tone ?? 'active'} label={USER_STATUS[u.status]?.label ?? u.status} />
                      </td>
                      <td data-label="Actions">
                        {u.id === me.user.id ? (
                          <span className="fap-muted">You</span>
                        ) : u.disabled ? (
                          <button type="button" className="usa-button usa-button--outline" onClick={() => void setDisabled(u, false)}>
                            Enable
                          </button>
                        ) : (
                          <ConfirmAction label="Disable" srSuffix={` ${who(u)}`} outline heading={`Disable ${who(u)}?`} onConfirm={() => setDisabled(u, true)}>
                            <p>{who(u)} is signed out everywhere and cannot sign in until enabled again.</p>
                          </ConfirmAction>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
        </>
      )}
    </>
  );
}

export function AdminAudit() {
  const role = useRole();
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  const check = useAction(async () => setVerify(await adminApi.verifyAudit()));
  const [target, setTarget] = useState('');
  const [query, setQuery] = useState<string | null>(null);
  const events = usePaged(query ? (p) => auditApi.list({ target_id: query }, p) : null, [query]);
  return (
    <>
      <PageTitle lead="Every change is recorded in a hash-chained audit trail. Verification re-walks the chain and names the first broken link.">Audit trail</PageTitle>
      {role.isOperator && (
        <Section title="Verify the chain">
          <ProblemAlert error={check.error} />
          <button type="button" className="usa-button" onClick={() => void check.run()} disabled={check.busy}>
            {check.busy ? 'Verifying…' : 'Verify now'}
          </button>
          {verify && (
            <div role="status" className="margin-top-2">
              {verify.valid ? (
                <SuccessAlert heading="The audit chain is intact">
                  {verify.events} events verified. {verify.visible_to_operators} of them are on records of the operators (organizations and users you created or
                  changed); only those appear in the export and the search below.
                </SuccessAlert>
              ) : (
                <div className="usa-alert usa-alert--error">
                  <div className="usa-alert__body">
                    <h2 className="usa-alert__heading">The audit chain is broken</h2>
                    <p className="usa-alert__text">
                      The first broken link is event {verify.first_broken_seq}. {verify.events} events were checked.
                    </p>
                  </div>
                </div>
              )}
            </div>
          )}
        </Section>
      )}
      {role.isOperator && (
        <Section title="What operators see">
          <p>
            Verification walks every event of the portal. Events on developer, agency and partner records are visible only to those organizations: operators never
            see the content of developer records. So the export and the search below show only the events on operators’ own records, and a grant, model or request id
            finds no events here even though its events are in the verified chain.
          </p>
        </Section>
      )}
      {role.isOperator && (
        <Section title="Export the chain for an outside auditor">
          <p>
            The chain’s links: sequence number, time, action and hashes of every event, with no record details. An auditor checks that the sequence runs from 1 without
            a gap, that each link’s previous hash is the hash of the link before it, and that the last hash is the one verification reports
            {verify ? (
              <>
                {' '}
                (<code className="fap-break">{verify.last_hash}</code>)
              </>
            ) : null}
            . With an organization’s own event export, the auditor recomputes each of its events’ hashes and finds it at the same sequence number.
          </p>
          <p>
            <strong>Hash rule:</strong> hash = lowercase hex SHA-256 of the previous hash (its 64 hex characters) followed by the canonical event: a JSON object of the
            event’s fields seq, id, occurred_at, actor_user_id, actor_org_id, action, target_type, target_id, visible_to, detail, request_id and prev_hash, with keys
            sorted at every level, no whitespace, occurred_at as UTC with microseconds and Z, and visible_to sorted. The first event’s previous hash is 64 zeros.
          </p>
          <div className="fap-actions">
            <a className="usa-button usa-button--outline" href={adminApi.chainExportUrl('csv')} download>
              Download chain links (CSV)
            </a>
            <a className="usa-button usa-button--outline" href={adminApi.chainExportUrl('json')} download>
              Download chain links (JSON)
            </a>
          </div>
        </Section>
      )}
      <Section title="Export">
        <p>Download the events on your organization’s records, with their details.</p>
        <div className="fap-actions">
          <a className="usa-button usa-button--outline" href={auditApi.exportUrl('csv')} download>
            Download CSV
          </a>
          <a className="usa-button usa-button--outline" href={auditApi.exportUrl('json')} download>
            Download JSON
          </a>
        </div>
      </Section>
      <Section title="Find events for a record">
        <form
          className="usa-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(target.trim() || null);
          }}
        >
          <TextField name="target_id" label="Record ID" required value={target} onChange={(e) => setTarget(e.target.value)} spellCheck={false} />
          <SubmitButton busy={false}>Search</SubmitButton>
        </form>
        {query && (
          <>
            <ProblemAlert error={events.error} />
            {events.loading && events.items.length === 0 ? (
              <Loading />
            ) : events.items.length === 0 ? (
              <p>
                No events for this record{role.isOperator ? ' that operators may read. Events on developer, agency and partner records are visible only to those organizations' : ''}.
              </p>
            ) : (
              <ol className="fap-audit">
                {events.items.map((ev) => (
                  <li key={ev.seq}>
                    #{ev.seq} <DateTime value={ev.occurred_at} /> — <span title={ev.action}>{actionText(ev.action)}</span>{' '}
                    <span className="fap-muted">{actorText(ev, role)}</span>
                  </li>
                ))}
              </ol>
            )}
            <LoadMore hasMore={events.hasMore} loading={events.loading} onClick={() => void events.loadMore()} />
          </>
        )}
      </Section>
    </>
  );
}
