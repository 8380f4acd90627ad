import { useEffect, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiError, fetchAll } from '../api/client';
import * as adminApi from '../api/admin';
import * as designationsApi from '../api/designations';
import * as grantsApi from '../api/grants';
import * as modelsApi from '../api/models';
import * as nominationsApi from '../api/nominations';
import * as partnerGrantsApi from '../api/partnerGrants';
import type { AccessGrantSummary, AuditVerify, DesignationRequestSummary, ModelSummary, NominationSummary, PartnerGrantSummary } from '../api/types';
import { useMe, useRole, type Role } from '../auth/AuthContext';
import { Countdown, DateTime, Loading, PageTitle, ProblemAlert, StatusTag, VoluntaryNotice } from '../components/ui';
import { modelLabel, shownStatus } from '../lib/labels';

interface Task {
  key: string;
  to: string;
  title: ReactNode;
  why: string;
  status: string;
  extra?: ReactNode;
}

interface Data {
  models: ModelSummary[];
  requests: DesignationRequestSummary[];
  grants: AccessGrantSummary[];
  nominations: NominationSummary[];
  partnerGrants: PartnerGrantSummary[];
}

const EMPTY: Data = { models: [], requests: [], grants: [], nominations: [], partnerGrants: [] };

async function load(role: Role): Promise<Data> {
  const opt = <T,>(p: Promise<T[]>) => p.catch((e) => (e instanceof ApiError && (e.status === 403 || e.status === 404) ? ([] as T[]) : Promise.reject(e)));
  if (role.isDeveloper) {
    const [models, requests, grants, nominations, partnerGrants] = await Promise.all([
      opt(fetchAll((p) => modelsApi.list({}, p))),
      opt(fetchAll((p) => designationsApi.list({}, p))),
      opt(fetchAll((p) => grantsApi.list({}, p))),
      opt(fetchAll((p) => nominationsApi.list({}, p))),
      opt(fetchAll((p) => partnerGrantsApi.list({}, p))),
    ]);
    return { models, requests, grants, nominations, partnerGrants };
  }
  if (role.isAgency) {
    const [requests, grants, nominations] = await Promise.all([
      opt(fetchAll((p) => designationsApi.list({}, p))),
      opt(fetchAll((p) => grantsApi.list({}, p))),
      opt(fetchAll((p) => nominationsApi.list({}, p))),
    ]);
    return { ...EMPTY, requests, grants, nominations };
  }
  if (role.isPartner) {
    const partnerGrants = await opt(fetchAll((p) => partnerGrantsApi.list({}, p)));
    return { ...EMPTY, partnerGrants };
  }
  return EMPTY;
}

export function tasksFor(role: Role, d: Data): Task[] {
  const t: Task[] = [];
  if (role.isDeveloper) {
    for (const r of d.requests) {
      if (r.status === 'draft')
        t.push({ key: r.id, to: `/designation-requests/${r.id}`, title: `Designation request for ${r.model_name} ${r.model_version}`, why: 'Draft not yet submitted', status: r.status });
      if (r.status === 'info_requested')
        t.push({ key: r.id, to: `/designation-requests/${r.id}`, title: `Designation request for ${r.model_name} ${r.model_version}`, why: 'Reviewers asked for more information', status: r.status });
    }
    if (role.isAdmin)
      for (const g of d.grants)
        if (g.status === 'awaiting_terms' && !g.developer_accepted_at)
          t.push({ key: g.id, to: `/access-grants/${g.id}`, title: `Government access to ${modelLabel(g.model_name, g.model_version)}`, why: 'Your organization has not accepted the terms yet', status: g.status });
    for (const n of d.nominations)
      if (n.status === 'pending' && n.developer_position === 'pending')
        t.push({ key: n.id, to: `/nominations/${n.id}`, title: `${n.partner_name} for ${modelLabel(n.model_name, n.model_version)}`, why: 'The Government nominated a partner: concur or decline', status: n.status });
    if (role.isAdmin)
      for (const n of d.nominations)
        if (n.status === 'selected' && !d.partnerGrants.some((p) => p.nomination_id === n.id))
          t.push({ key: `pg-${n.id}`, to: `/partner-grants/new?nomination_id=${n.id}`, title: `${n.partner_name} for ${modelLabel(n.model_name, n.model_version)}`, why: 'Partner selected: you may issue an early-access grant', status: n.status });
  }
  if (role.isAgency) {
    for (const r of d.requests) {
      if ((r.status === 'submitted' || r.status === 'under_review') && (!r.assigned_to || r.assigned_to.id === role.userId))
        t.push({ key: r.id, to: `/designation-requests/${r.id}`, title: `${r.model_name} ${r.model_version} (${r.developer_org_name})`, why: r.assigned_to ? 'Assigned to you' : 'Unassigned request', status: r.status });
    }
    for (const g of d.grants) {
      const mine = g.grantees.find((x) => x.org_id === role.orgId);
      if (role.isAdmin && mine && !mine.terms_accepted_at && g.status === 'awaiting_terms')
        t.push({ key: g.id, to: `/access-grants/${g.id}`, title: `Access to ${modelLabel(g.model_name, g.model_version)} (${g.developer_org_name})`, why: 'Your agency has not accepted the terms yet', status: g.status });
      else if (g.viewer?.rostered && !g.viewer.acknowledged && (g.status === 'active' || g.status === 'scheduled'))
        t.push({ key: g.id, to: `/access-grants/${g.id}`, title: `Access to ${modelLabel(g.model_name, g.model_version)} (${g.developer_org_name})`, why: 'Acknowledge the terms to see the access instructions', status: g.status });
      else if (g.viewer?.acknowledged && g.status === 'active')
        t.push({ key: g.id, to: `/access-grants/${g.id}`, title: `Access to ${modelLabel(g.model_name, g.model_version)} (${g.developer_org_name})`, why: 'Active: record each use in the access log', status: g.status, extra: <Countdown end={g.ends_at} /> });
    }
    if (role.isAdmin)
      for (const n of d.nominations)
        if (n.status === 'pending' && n.government_position === 'pending')
          t.push({ key: n.id, to: `/nominations/${n.id}`, title: `${n.partner_name} for ${modelLabel(n.model_name, n.model_version)}`, why: 'The developer nominated a partner: concur or decline for the Government', status: n.status });
  }
  if (role.isPartner) {
    for (const g of d.partnerGrants) {
      if (g.status === 'awaiting_terms' && role.isAdmin)
        t.push({ key: g.id, to: `/partner-grants/${g.id}`, title: `Early access to ${modelLabel(g.model_name, g.model_version)}`, why: 'Accept the terms for your organization', status: g.status });
      else if (g.viewer?.rostered && !g.viewer.acknowledged && (g.status === 'active' || g.status === 'scheduled'))
        t.push({ key: g.id, to: `/partner-grants/${g.id}`, title: `Early access to ${modelLabel(g.model_name, g.model_version)}`, why: 'Acknowledge the terms to see the access instructions', status: g.status });
    }
  }
  return t;
}

function TaskList({ tasks }: { tasks: Task[] }) {
  if (tasks.length === 0)
    return (
      <div className="fap-empty">
        <p>Nothing needs your action right now.</p>
      </div>
    );
  return (
    <ul className="usa-card-group fap-tasks">
      {tasks.map((t) => (
        <li key={`${t.key}-${t.why}`} className="fap-task">
          <div className="fap-task__body">
            <p className="fap-task__why">{t.why}</p>
            <p className="fap-task__title">
              <Link to={t.to} className="usa-link">
                {t.title}
              </Link>
            </p>
            <p className="fap-task__status">
              <StatusTag status={t.status} /> {t.extra}
            </p>
          </div>
        </li>
      ))}
    </ul>
  );
}

export function Dashboard() {
  const me = useMe();
  const role = useRole();
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    load(role)
      .then(setData)
      .catch((e) => setError(e instanceof ApiError ? e : new ApiError({ status: 0, detail: String(e) })));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [role.kind, role.orgId]);

  if (role.isOperator) return <OperatorDashboard />;
  const tasks = data ? tasksFor(role, data) : [];

  return (
    <>
      <PageTitle title="Dashboard">Welcome, {me.user.name}</PageTitle>
      <p className="fap-lead">{me.organization.name}</p>
      {role.isDeveloper && <VoluntaryNotice />}
      <ProblemAlert error={error} />
      <section aria-labelledby="todo-h" className="fap-section">
        <h2 id="todo-h">Needs your action{data ? ` (${tasks.length})` : ''}</h2>
        {data ? <TaskList tasks={tasks} /> : !error && <Loading />}
      </section>
      {data && role.isDeveloper && <DeveloperOverview d={data} role={role} />}
      {data && role.isAgency && <AgencyOverview d={data} />}
      {data && role.isPartner && <PartnerOverview d={data} />}
    </>
  );
}

function DeveloperOverview({ d, role }: { d: Data; role: Role }) {
  const active = d.grants.filter((g) => g.status === 'active' || g.status === 'scheduled');
  return (
    <>
      <section aria-labelledby="start-h" className="fap-section">
        <h2 id="start-h">Start something</h2>
        <div className="fap-actions">
          <Link className="usa-button" to="/models/new">
            Register a model
          </Link>
          <Link className="usa-button usa-button--outline" to="/designation-requests/new">
            File a designation request
          </Link>
          {role.isAdmin && (
            <Link className="usa-button usa-button--outline" to="/access-grants/new">
              Offer Government access
            </Link>
          )}
          <Link className="usa-button usa-button--outline" to="/nominations/new">
            Nominate a partner
          </Link>
        </div>
      </section>
      <section aria-labelledby="open-h" className="fap-section">
        <h2 id="open-h">Open Government access windows</h2>
        {active.length === 0 ? (
          <p>None.</p>
        ) : (
          <ul className="usa-list">
            {active.map((g) => (
              <li key={g.id}>
                <Link className="usa-link" to={`/access-grants/${g.id}`}>
                  {modelLabel(g.model_name, g.model_version)} — {g.grantees.map((x) => x.name).join(', ')}
                </Link>{' '}
                <StatusTag status={g.status} /> {g.status === 'active' && <Countdown end={g.ends_at} />}
              </li>
            ))}
          </ul>
        )}
        <p>
          {d.models.length} model{d.models.length === 1 ? '' : 's'} registered ·{' '}
          <Link className="usa-link" to="/models">
            See all models
          </Link>
        </p>
      </section>
    </>
  );
}

function AgencyOverview({ d }: { d: Data }) {
  const count = (s: string) => d.requests.filter((r) => r.status === s).length;
  return (
    <section aria-labelledby="queue-h" className="fap-section">
      <h2 id="queue-h">Review queue</h2>
      <ul className="fap-stats">
        {(['submitted', 'under_review', 'info_requested', 'determined'] as const).map((s) => (
          <li key={s}>
            <Link to={`/designation-requests?status=${s}`} className="fap-stat">
              <span className="fap-stat__n">{count(s)}</span>
              <span className="fap-stat__label">
                <StatusTag status={s} />
              </span>
            </Link>
          </li>
        ))}
      </ul>
      <p>
        <Link className="usa-link" to="/designation-requests?sort=response_by">
          See the queue by response date, soonest first
        </Link>
      </p>
    </section>
  );
}

function PartnerOverview({ d }: { d: Data }) {
  return (
    <section aria-labelledby="grants-h" className="fap-section">
      <h2 id="grants-h">Your early-access grants</h2>
      {d.partnerGrants.length === 0 ? (
        <p>None yet. You will be emailed when a developer grants your organization early access.</p>
      ) : (
        <ul className="fap-grant-cards">
          {d.partnerGrants.map((g) => (
            <li key={g.id} className="fap-grant-card">
              <h3>
                <Link className="usa-link" to={`/partner-grants/${g.id}`}>
                  {modelLabel(g.model_name, g.model_version)}
                </Link>
              </h3>
              <p>from {g.developer_org_name}</p>
              <p>
                <StatusTag status={shownStatus(g.status, [{ declined_at: g.partner_declined_at }])} /> {g.status === 'active' && <Countdown end={g.ends_at} />}
              </p>
              <p className="fap-muted">
                <DateTime value={g.starts_at} dateOnly /> – <DateTime value={g.ends_at} dateOnly />
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function OperatorDashboard() {
  const me = useMe();
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    adminApi
      .verifyAudit()
      .then(setVerify)
      .catch((e: unknown) => setError(e instanceof ApiError ? e : null));
  }, []);
  return (
    <>
      <PageTitle title="Dashboard">Welcome, {me.user.name}</PageTitle>
      <p className="fap-lead">Portal operations. Operators manage organizations, users, terms templates and the audit trail — not the content of developer records.</p>
      <section className="fap-section" aria-labelledby="audit-h">
        <h2 id="audit-h">Audit chain</h2>
        <ProblemAlert error={error} />
        {verify ? (
          verify.valid ? (
            <p>
              <StatusTag status="active" label="Intact" /> {verify.events} events verified.
            </p>
          ) : (
            <p>
              <StatusTag status="non_concur" label="Broken" /> The chain breaks at event {verify.first_broken_seq}.{' '}
              <Link className="usa-link" to="/admin/audit">
                Investigate
              </Link>
            </p>
          )
        ) : (
          !error && <Loading label="Verifying the audit chain…" />
        )}
      </section>
      <section className="fap-section" aria-labelledby="ops-h">
        <h2 id="ops-h">Tasks</h2>
        <div className="fap-actions">
          <Link className="usa-button" to="/admin/organizations">
            Add an agency or partner
          </Link>
          <Link className="usa-button usa-button--outline" to="/admin/users">
            Manage users
          </Link>
          <Link className="usa-button usa-button--outline" to="/terms/new">
            Publish a terms template
          </Link>
        </div>
      </section>
    </>
  );
}
