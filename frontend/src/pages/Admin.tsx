import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import * as adminApi from '../api/admin';
import * as auditApi from '../api/audit';
import type { AdminOrganization, AdminUser, AuditVerify, NewOrganization, UserStatus } from '../api/types';
import { useMe, useRole } from '../auth/AuthContext';
import { actionText, actorText } from '../components/AuditTrail';
import { ConfirmAction } from '../components/ConfirmAction';
import { SelectField, SubmitButton, TextField } from '../components/fields';
import { DateTime, Empty, InfoAlert, LoadMore, Loading, PageTitle, ProblemAlert, Section, StatusTag, SuccessAlert } from '../components/ui';
import { useAction, useDebounced, usePaged, useResource } from '../lib/hooks';
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
  const [changed, setChanged] = useState<string | null>(null);
  const onChanged = async (text: string) => {
    setChanged(text);
    await list.reload();
  };
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
        <p>Rename an organization, or deactivate it: its people can no longer sign in or use API tokens, and its records stay. Reactivating lets them sign in again.</p>
        {changed && <SuccessAlert>{changed}</SuccessAlert>}
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
                  <th scope="col">People</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="usa-sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((o) => (
                  <tr key={o.id}>
                    <th scope="row" data-label="Name">
                      {o.name}
                      <div className="fap-muted text-normal">
                        Created <DateTime value={o.created_at} dateOnly />
                      </div>
                    </th>
                    <td data-label="Kind">{humanize(o.kind)}</td>
                    <td data-label="Details">
                      {o.agency_code ?? (o.partner_type ? `${PARTNER_TYPE_LABELS[o.partner_type] ?? o.partner_type}${o.sector ? ` · ${sectorLabel(o.sector)}` : ''}` : '—')}
                    </td>
                    <td data-label="People">
                      <Link to={`/admin/users?organization_id=${encodeURIComponent(o.id)}`}>
                        {o.user_count} {o.user_count === 1 ? 'person' : 'people'}
                        <span className="usa-sr-only"> in {o.name}</span>
                      </Link>
                    </td>
                    <td data-label="Status">{o.deactivated_at ? <StatusTag status="revoked" label="Deactivated" /> : <StatusTag status="active" label="Active" />}</td>
                    <td data-label="Actions">
                      <OrgActions org={o} onDone={onChanged} />
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

/** Rename, deactivate or reactivate one organization (each asks first). */
function OrgActions({ org, onDone }: { org: AdminOrganization; onDone: (text: string) => Promise<void> }) {
  const [name, setName] = useState(org.name);
  const rename = async () => {
    const next = name.trim();
    await adminApi.updateOrganization(org.id, { name: next });
    await onDone(`${org.name} is now called ${next}.`);
  };
  const setDeactivated = async (deactivated: boolean) => {
    await adminApi.updateOrganization(org.id, { deactivated });
    await onDone(deactivated ? `${org.name} is deactivated: its people are signed out and cannot sign in.` : `${org.name} is active again: its people can sign in.`);
  };
  return (
    <div className="fap-actions">
      <ConfirmAction label="Rename" srSuffix={` ${org.name}`} outline danger={false} heading={`Rename ${org.name}`} confirmLabel="Save name" onConfirm={rename}>
        <TextField name={`rename-${org.id}`} label="New name" required value={name} onChange={(e) => setName(e.target.value)} />
      </ConfirmAction>
      {org.kind === 'operator' ? null : org.deactivated_at ? (
        <ConfirmAction label="Reactivate" srSuffix={` ${org.name}`} outline danger={false} heading={`Reactivate ${org.name}?`} onConfirm={() => setDeactivated(false)}>
          <p>Its people can sign in again. Sessions and API tokens ended by the deactivation stay ended: each person signs in afresh.</p>
        </ConfirmAction>
      ) : (
        <ConfirmAction label="Deactivate" srSuffix={` ${org.name}`} outline heading={`Deactivate ${org.name}?`} onConfirm={() => setDeactivated(true)}>
          <p>
            Everyone in {org.name} is signed out at once and cannot sign in or use API tokens until you reactivate it. Its records stay.
            {org.kind === 'developer'
              ? ' A developer that still has a request under review, an open window or partner grant, or a pending nomination stays active: only the developer can close those, and nothing in the portal may keep it from doing so.'
              : ''}
          </p>
        </ConfirmAction>
      )}
    </div>
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

const STATUS_FILTERS: { value: '' | UserStatus; label: string }[] = [
  { value: '', label: 'All statuses' },
  { value: 'invited', label: 'Invited' },
  { value: 'active', label: 'Active' },
  { value: 'disabled', label: 'Disabled' },
];
/** The server's bound on `q`. */
const SEARCH_MAX = 100;
const roleWord = (r: string) => (r === 'admin' ? 'Administrator' : 'Member');

function AdminUsersInner() {
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? '') as '' | UserStatus;
  const organization_id = params.get('organization_id') ?? '';
  const typed = params.get('q') ?? '';
  // The server filters every user; the search waits for a pause in typing.
  const settled = useDebounced(typed.trim(), 300);
  const q = typed.trim() ? settled : '';
  const list = usePaged((p) => adminApi.users({ q, status, organization_id }, p), [q, status, organization_id]);
  const orgs = useResource(() => adminApi.organizations({ limit: 200 }), []);
  const filtered = !!(status || q || organization_id);
  const update = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const unavailable = list.error && (list.error.status === 404 || list.error.status === 405);
  const [notice, setNotice] = useState<string | null>(null);
  const [manualId, setManualId] = useState('');
  const manual = useAction(async (disabled: boolean) => {
    await adminApi.setUserDisabled(manualId.trim(), disabled);
    setNotice(`User ${manualId.trim()} ${disabled ? 'disabled' : 'enabled'}.`);
  });
  const done = async (text: string) => {
    setNotice(text);
    await list.reload();
  };
  const setDisabled = async (u: AdminUser, disabled: boolean) => {
    await adminApi.setUserDisabled(u.id, disabled);
    await done(`${who(u)} ${disabled ? 'disabled: their sessions and tokens stop working at once' : 'enabled'}.`);
  };
  const setRole = async (u: AdminUser, role: AdminUser['org_role']) => {
    await adminApi.setUserRole(u.id, role);
    await done(`${who(u)} is now ${role === 'admin' ? 'an administrator' : 'a member'} of ${u.organization_name}.`);
  };
  const resend = async (u: AdminUser) => {
    await adminApi.resendInvitation(u.id);
    await done(`A new invitation was sent to ${u.email}. The link in the earlier email no longer works.`);
  };
  const revoke = async (u: AdminUser) => {
    await adminApi.revokeInvitation(u.id);
    await done(`The invitation of ${u.email} is revoked: its link no longer works.`);
  };
  const orgName = orgs.data?.items.find((o) => o.id === organization_id)?.name;
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
          <form className="fap-filters" role="search" aria-label="Filter users" onSubmit={(e) => e.preventDefault()}>
            <div className="usa-form-group">
              <label className="usa-label" htmlFor="filter-q">
                Name or email
              </label>
              <input id="filter-q" className="usa-input" type="search" maxLength={SEARCH_MAX} value={typed} onChange={(e) => update('q', e.target.value)} />
            </div>
            <div className="usa-form-group">
              <label className="usa-label" htmlFor="filter-status">
                Status
              </label>
              <select id="filter-status" className="usa-select" value={status} onChange={(e) => update('status', e.target.value)}>
                {STATUS_FILTERS.map((f) => (
                  <option key={f.value} value={f.value}>
                    {f.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="usa-form-group">
              <label className="usa-label" htmlFor="filter-org">
                Organization
              </label>
              <select id="filter-org" className="usa-select" value={organization_id} onChange={(e) => update('organization_id', e.target.value)}>
                <option value="">All organizations</option>
                {organization_id && !orgName && <option value={organization_id}>This organization</option>}
                {(orgs.data?.items ?? []).map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </div>
            {(filtered || typed) && (
              <button type="button" className="usa-button usa-button--unstyled fap-filters__clear" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
                Clear filters
              </button>
            )}
          </form>
          <ProblemAlert error={list.error} />
          {list.loading && list.items.length === 0 ? (
            <Loading />
          ) : list.items.length === 0 ? (
            <Empty>
              <p>{filtered ? 'No users match these filters.' : 'No users.'}</p>
            </Empty>
          ) : (
            <div className="fap-table-wrap">
              <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
                <caption className="usa-sr-only">Users</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Organization</th>
                    <th scope="col">Role</th>
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
                      <td data-label="Role">{roleWord(u.org_role)}</td>
                      <td data-label="Status">
                        <StatusTag status={USER_STATUS[u.status]?.tone ?? 'active'} label={USER_STATUS[u.status]?.label ?? u.status} />
                      </td>
                      <td data-label="Actions">
                        {u.id === me.user.id ? (
                          <span className="fap-muted">You</span>
                        ) : (
                          <div className="fap-actions">
                            {u.status === 'invited' && (
                              <>
                                <ConfirmAction label="Resend invitation" srSuffix={` to ${u.email}`} outline danger={false} heading={`Send ${u.email} a new invitation?`} confirmLabel="Send a new link" onConfirm={() => resend(u)}>
                                  <p>A new link goes to {u.email}, valid for 7 days. The link in the earlier email stops working.</p>
                                </ConfirmAction>
                                <ConfirmAction label="Revoke invitation" srSuffix={` of ${u.email}`} outline heading={`Revoke the invitation of ${u.email}?`} onConfirm={() => revoke(u)}>
                                  <p>The link stops working and {u.email} can no longer join {u.organization_name}. The account is kept as disabled; you can enable it and send a new invitation later.</p>
                                </ConfirmAction>
                              </>
                            )}
                            {u.status !== 'disabled' && (
                              <ConfirmAction
                                label={u.org_role === 'admin' ? 'Make member' : 'Make administrator'}
                                srSuffix={` ${who(u)}`}
                                outline
                                danger={false}
                                heading={u.org_role === 'admin' ? `Make ${who(u)} a member?` : `Make ${who(u)} an administrator?`}
                                onConfirm={() => setRole(u, u.org_role === 'admin' ? 'member' : 'admin')}
                              >
                                <p>
                                  {u.org_role === 'admin'
                                    ? `${who(u)} will no longer invite people or act for ${u.organization_name} (offer grants, accept terms). An organization always keeps at least one administrator.`
                                    : `${who(u)} will be able to invite people and act for ${u.organization_name} (offer grants, accept terms).`}{' '}
                                  It applies at once.
                                </p>
                              </ConfirmAction>
                            )}
                            {u.disabled ? (
                              <button type="button" className="usa-button usa-button--outline" onClick={() => void setDisabled(u, false)}>
                                Enable<span className="usa-sr-only"> {who(u)}</span>
                              </button>
                            ) : u.status === 'active' ? (
                              <ConfirmAction label="Disable" srSuffix={` ${who(u)}`} outline heading={`Disable ${who(u)}?`} onConfirm={() => setDisabled(u, true)}>
                                <p>{who(u)} is signed out everywhere and cannot sign in until enabled again.</p>
                              </ConfirmAction>
                            ) : null}
                          </div>
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
