import { useState } from 'react';
import { Link } from 'react-router';
import * as authApi from '../api/auth';
import * as organizationsApi from '../api/organizations';
import type { ApiToken, Member, OrgRole, TokenScope } from '../api/types';
import { useMe, useRole } from '../auth/AuthContext';
import { ConfirmAction } from '../components/ConfirmAction';
import { CopyButton } from '../components/CopyButton';
import { RadioGroup, SelectField, SubmitButton, TextField } from '../components/fields';
import { DateTime, Empty, Loaded, Loading, PageTitle, ProblemAlert, Section, SuccessAlert } from '../components/ui';
import { useAction, useResource } from '../lib/hooks';
import { AGENCY_LABELS, PARTNER_TYPE_LABELS, sectorLabel } from '../lib/labels';

export const SCOPE_LABELS: Record<TokenScope, string> = {
  read: 'Read only',
  read_write: 'Read and write',
};

const EXPIRY_OPTIONS = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '180', label: '180 days' },
  { value: '365', label: '1 year (the longest)' },
];

export function ApiTokensPage() {
  const res = useResource(authApi.apiTokens, []);
  const tokens = res.data?.items ?? [];
  const [name, setName] = useState('');
  const [scope, setScope] = useState<TokenScope>('read');
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState<ApiToken | null>(null);
  const create = useAction(async () => {
    const t = await authApi.createApiToken(name.trim(), scope, Number(days));
    setCreated(t);
    setName('');
    await res.reload();
  });

  return (
    <>
      <PageTitle lead="Personal API tokens let scripts call the portal’s API as you (send it as “Authorization: Bearer …”). A token has your permissions; revoke it as soon as it is no longer needed.">
        API tokens
      </PageTitle>
      <p>
        Your browser sessions and tokens are also listed on <Link to="/sessions">Sessions</Link>.
      </p>
      {created?.token && (
        <div className="fap-token-once" role="status">
          <h2>Copy your new token now</h2>
          <p>
            This is the only time “{created.name}” is shown. Store it in a password manager or secret store; it cannot be
            shown again.
          </p>
          <p className="fap-token">
            <code id="new-token">{created.token}</code>
          </p>
          <CopyButton text={created.token} label="Copy token" />
          <button type="button" className="usa-button usa-button--unstyled margin-left-2" onClick={() => setCreated(null)}>
            I have stored it — hide
          </button>
        </div>
      )}
      <Section title="Create a token">
        <ProblemAlert error={create.error} />
        <form
          className="usa-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <TextField name="name" label="Token name" required value={name} onChange={(e) => setName(e.target.value)} error={create.fieldErrors.name} hint="What the token is for, e.g. “CI evaluation script”." />
          <RadioGroup
            name="scope"
            legend="What it may do"
            value={scope}
            onChange={(v) => setScope(v as TokenScope)}
            error={create.fieldErrors.scope}
            options={[
              { value: 'read', label: SCOPE_LABELS.read, description: 'Reads only (GET). Any change it tries is refused.' },
              { value: 'read_write', label: SCOPE_LABELS.read_write, description: 'Everything you may do yourself.' },
            ]}
          />
          <SelectField
            name="expires_in_days"
            label="Expires after"
            required
            value={days}
            onChange={(e) => setDays(e.target.value)}
            error={create.fieldErrors.expires_in_days}
            options={EXPIRY_OPTIONS}
          />
          <SubmitButton busy={create.busy} busyLabel="Creating…">
            Create token
          </SubmitButton>
        </form>
      </Section>
      <Section title="Your tokens">
        {res.error && <ProblemAlert error={res.error} />}
        {res.loading && !res.data ? (
          <Loading />
        ) : (
          <ApiTokensTable
            tokens={tokens}
            endLabel="Revoke"
            onEnd={async (t) => {
              await authApi.revokeApiToken(t.id);
              await res.reload();
            }}
          />
        )}
      </Section>
    </>
  );
}

/** The caller's API tokens with their scope, dates and an end button (tokens page and sessions page). */
export function ApiTokensTable({
  tokens,
  endLabel,
  onEnd,
}: {
  tokens: ApiToken[];
  endLabel: string;
  onEnd: (t: ApiToken) => Promise<void>;
}) {
  if (tokens.length === 0) {
    return (
      <Empty>
        <p>You have no API tokens.</p>
      </Empty>
    );
  }
  return (
    <div className="fap-table-wrap">
      <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
        <caption className="usa-sr-only">Your API tokens</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Access</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="usa-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <th scope="row" data-label="Name">
                {t.name}
              </th>
              <td data-label="Access" className="text-no-wrap">{SCOPE_LABELS[t.scope as TokenScope] ?? t.scope}</td>
              <td data-label="Created">
                <DateTime value={t.created_at} />
              </td>
              <td data-label="Expires">{t.expires_at ? <DateTime value={t.expires_at} /> : 'Never'}</td>
              <td data-label="Last used">{t.last_used_at ? <DateTime value={t.last_used_at} /> : 'Not yet'}</td>
              <td data-label="Actions">
                <ConfirmAction
                  label={endLabel}
                  outline
                  srSuffix={` the token ${t.name}`}
                  heading={`Revoke the token “${t.name}”?`}
                  confirmLabel="Revoke token"
                  onConfirm={() => onEnd(t)}
                >
                  <p>Scripts using this token stop working at once.</p>
                </ConfirmAction>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const MEMBER_STATUS: Record<string, string> = { invited: 'Invited (not yet joined)', active: 'Active', disabled: 'Disabled' };

export function OrganizationPage() {
  const role = useRole();
  const me = useMe();
  const res = useResource(organizationsApi.mine, []);
  const [changed, setChanged] = useState<string | null>(null);
  const named = (u: Member) => u.name.trim() || u.email;
  const done = async (text: string) => {
    setSent(null);
    setChanged(text);
    await res.reload();
  };
  const resend = async (u: Member) => {
    await organizationsApi.resendMemberInvitation(u.id);
    await done(`A new invitation was sent to ${u.email}. The link in the earlier email no longer works.`);
  };
  const revoke = async (u: Member) => {
    await organizationsApi.revokeMemberInvitation(u.id);
    await done(`The invitation of ${u.email} is revoked: its link no longer works.`);
  };
  const setRole = async (u: Member, to: OrgRole) => {
    await organizationsApi.setMemberRole(u.id, to);
    await done(`${named(u)} is now ${to === 'admin' ? 'an administrator' : 'a member'}.`);
  };
  const [invite, setInvite] = useState({ email: '', org_role: 'member' });
  const [sent, setSent] = useState<string | null>(null);
  const action = useAction(async () => {
    await organizationsApi.invite({ email: invite.email.trim(), org_role: invite.org_role as OrgRole });
    setSent(invite.email.trim());
    setChanged(null);
    setInvite({ email: '', org_role: 'member' });
    await res.reload();
  });
  return (
    <Loaded resource={res}>
      {(data) => {
        const o = data.organization;
        return (
          <>
            <PageTitle title={o.name}>{o.name}</PageTitle>
            <p>
              {o.kind === 'agency' && o.agency_code ? AGENCY_LABELS[o.agency_code] ?? o.agency_code : null}
              {o.kind === 'partner' && o.partner_type ? `Trusted partner · ${PARTNER_TYPE_LABELS[o.partner_type] ?? o.partner_type}${o.sector ? ` · ${sectorLabel(o.sector)}` : ''}` : null}
              {o.kind === 'developer' ? 'AI developer' : null}
              {o.kind === 'operator' ? 'Portal operator' : null}
            </p>
            <Section title="People">
              {changed && <SuccessAlert>{changed}</SuccessAlert>}
              <div className="fap-table-wrap">
                <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
                  <caption className="usa-sr-only">People in {o.name}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Email</th>
                      <th scope="col">Role</th>
                      <th scope="col">Status</th>
                      {role.isAdmin && (
                        <th scope="col">
                          <span className="usa-sr-only">Actions</span>
                        </th>
                      )}
                    </tr>
                  </thead>
                  <tbody>
                    {data.users.map((u) => (
                      <tr key={u.id}>
                        <th scope="row" data-label="Name">
                          {u.name.trim() || <span className="fap-muted">Not yet chosen</span>}
                        </th>
                        <td data-label="Email">{u.email}</td>
                        <td data-label="Role">{u.org_role === 'admin' ? 'Administrator' : 'Member'}</td>
                        <td data-label="Status">{u.status === 'active' && u.email_verified === false ? 'Not yet verified' : MEMBER_STATUS[u.status] ?? u.status}</td>
                        {role.isAdmin && (
                          <td data-label="Actions">
                            {u.id === me.user.id ? (
                              <span className="fap-muted">You</span>
                            ) : u.status === 'disabled' ? (
                              <span className="fap-muted">None while disabled (the portal’s operators can enable the account)</span>
                            ) : (
                              <div className="fap-actions">
                                {u.status === 'invited' && (
                                  <>
                                    <ConfirmAction label="Resend invitation" srSuffix={` to ${u.email}`} outline danger={false} heading={`Send ${u.email} a new invitation?`} confirmLabel="Send a new link" onConfirm={() => resend(u)}>
                                      <p>A new link goes to {u.email}, valid for 7 days. The link in the earlier email stops working.</p>
                                    </ConfirmAction>
                                    <ConfirmAction label="Revoke invitation" srSuffix={` of ${u.email}`} outline heading={`Revoke the invitation of ${u.email}?`} onConfirm={() => revoke(u)}>
                                      <p>The link stops working and {u.email} can no longer join {o.name}.</p>
                                    </ConfirmAction>
                                  </>
                                )}
                                <ConfirmAction
                                  label={u.org_role === 'admin' ? 'Make member' : 'Make administrator'}
                                  srSuffix={` ${named(u)}`}
                                  outline
                                  danger={false}
                                  heading={u.org_role === 'admin' ? `Make ${named(u)} a member?` : `Make ${named(u)} an administrator?`}
                                  onConfirm={() => setRole(u, u.org_role === 'admin' ? 'member' : 'admin')}
                                >
                                  <p>
                                    {u.org_role === 'admin'
                                      ? `${named(u)} will no longer invite people or act for ${o.name}. The organization always keeps at least one administrator.`
                                      : `${named(u)} will be able to invite people and act for ${o.name} (offer grants, accept terms).`}{' '}
                                    It applies at once.
                                  </p>
                                </ConfirmAction>
                              </div>
                            )}
                          </td>
                        )}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Section>
            {role.isAdmin && (
              <Section title="Invite a colleague">
                {sent && <SuccessAlert>Invitation sent to {sent}. The link in the email lets them choose a password.</SuccessAlert>}
                <ProblemAlert error={action.error} />
                <form
                  className="usa-form"
                  noValidate
                  onSubmit={(e) => {
                    e.preventDefault();
                    setSent(null);
                    void action.run();
                  }}
                >
                  <TextField name="email" label="Email address" type="email" required value={invite.email} onChange={(e) => setInvite({ ...invite, email: e.target.value })} error={action.fieldErrors.email} />
                  <SelectField
                    name="org_role"
                    label="Role"
                    required
                    value={invite.org_role}
                    onChange={(e) => setInvite({ ...invite, org_role: e.target.value })}
                    options={[
                      { value: 'member', label: 'Member' },
                      { value: 'admin', label: 'Administrator (can invite people and accept terms)' },
                    ]}
                    error={action.fieldErrors.org_role}
                  />
                  <SubmitButton busy={action.busy} busyLabel="Sending…">
                    Send invitation
                  </SubmitButton>
                </form>
              </Section>
            )}
          </>
        );
      }}
    </Loaded>
  );
}
