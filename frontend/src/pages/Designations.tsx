import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { ApiError } from '../api/client';
import * as designationsApi from '../api/designations';
import * as modelsApi from '../api/models';
import * as organizationsApi from '../api/organizations';
import type { AgencyCode, AssignedFilter, DesignationRequest, DesignationStatus, Message, Outcome, Position } from '../api/types';
import { useRole, type Role } from '../auth/AuthContext';
import { AuditTrail } from '../components/AuditTrail';
import { ConfirmAction, ConfirmDialog, type ConfirmDialogRef } from '../components/ConfirmAction';
import { RadioGroup, ModelSelect, SelectField, SubmitButton, TextAreaField, TextField } from '../components/fields';
import { useFlash } from '../components/Flash';
import {
  BackLink,
  CalendarDate,
  DateTime,
  Empty,
  Facts,
  InfoAlert,
  LoadMore,
  Loaded,
  Loading,
  PageTitle,
  ProblemAlert,
  Prose,
  Section,
  StatusTag,
  SuccessAlert,
  VoluntaryNotice,
  DraftNotice,
} from '../components/ui';
import { useDraft } from '../lib/drafts';
import { todayDateInput } from '../lib/dates';
import { useAction, useDebounced, usePaged, useResource } from '../lib/hooks';
import { AGENCY_LABELS, CONSULTED_AGENCIES, MESSAGE_KIND_LABELS, OUTCOME_OPTIONS, POSITION_OPTIONS, statusLabel } from '../lib/labels';

const STATUS_FILTERS: ('' | DesignationStatus)[] = ['', 'draft', 'submitted', 'under_review', 'info_requested', 'determined', 'withdrawn'];
const ASSIGNED_FILTERS: { value: '' | AssignedFilter; label: string }[] = [
  { value: '', label: 'Assigned or not' },
  { value: 'me', label: 'Assigned to me' },
  { value: 'unassigned', label: 'Unassigned' },
];
/** The queue's orders (`?sort=`, kept in the address like the filters). */
const SORTS: { value: '' | 'response_by'; label: string }[] = [
  { value: '', label: 'Newest first' },
  { value: 'response_by', label: 'Response date, soonest first' },
];
/** The server's bound on `q`. */
const SEARCH_MAX = 100;

export function RequestsList() {
  const role = useRole();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? '') as '' | DesignationStatus;
  const assigned = role.isAgency ? ((params.get('assigned') ?? '') as '' | AssignedFilter) : '';
  const overdue = params.get('overdue') === 'true' ? 'true' : '';
  const sort = params.get('sort') === 'response_by' ? 'response_by' : '';
  const typed = params.get('q') ?? '';
  // Every filter is applied by the server, over all requests, not over the pages loaded so far;
  // the search waits for a pause in typing so each keystroke does not cost a request.
  const settled = useDebounced(typed.trim(), 300);
  const q = typed.trim() ? settled : ''; // clearing the search needs no pause
  const list = usePaged((p) => designationsApi.list({ status, q, assigned, overdue, sort }, p), [status, q, assigned, overdue, sort]);
  const filtered = !!(status || q || assigned || overdue);
  const update = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };

  return (
    <>
      <PageTitle
        lead={
          role.isDeveloper
            ? 'Ask whether a model is a covered frontier model. Filing is your choice, and a determination has no effect on what you may do with your model.'
            : 'Designation requests filed by developers. NSA records the determination after consulting the National Cyber Director, APST, CISA and the Department of War.'
        }
      >
        {role.isDeveloper ? 'Designation requests' : 'Review queue'}
      </PageTitle>
      {role.isDeveloper && (
        <p>
          <Link to="/designation-requests/new" className="usa-button">
            File a designation request
          </Link>
        </p>
      )}
      <form className="fap-filters" role="search" aria-label="Filter requests" onSubmit={(e) => e.preventDefault()}>
        <div className="usa-form-group">
          <label className="usa-label" htmlFor="filter-status">
            Status
          </label>
          <select id="filter-status" className="usa-select" value={status} onChange={(e) => update('status', e.target.value)}>
            {STATUS_FILTERS.filter((s) => role.isDeveloper || s !== 'draft').map((s) => (
              <option key={s} value={s}>
                {s ? statusLabel(s) : 'All statuses'}
              </option>
            ))}
          </select>
        </div>
        <div className="usa-form-group">
          <label className="usa-label" htmlFor="filter-q">
            Model, developer or summary
          </label>
          <input
            id="filter-q"
            className="usa-input"
            type="search"
            maxLength={SEARCH_MAX}
            value={typed}
            onChange={(e) => update('q', e.target.value)}
          />
        </div>
        {role.isAgency && (
          <div className="usa-form-group">
            <label className="usa-label" htmlFor="filter-assigned">
              Assigned reviewer
            </label>
            <select id="filter-assigned" className="usa-select" value={assigned} onChange={(e) => update('assigned', e.target.value)}>
              {ASSIGNED_FILTERS.map((a) => (
                <option key={a.value} value={a.value}>
                  {a.label}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="usa-form-group">
          <div className="usa-checkbox">
            <input id="filter-overdue" className="usa-checkbox__input" type="checkbox" checked={!!overdue} onChange={(e) => update('overdue', e.target.checked ? 'true' : '')} />
            <label className="usa-checkbox__label" htmlFor="filter-overdue">
              Overdue only
              <span className="usa-checkbox__label-description">Response date passed, still awaiting the Government</span>
            </label>
          </div>
        </div>
        <div className="usa-form-group">
          <label className="usa-label" htmlFor="filter-sort">
            Order
          </label>
          <select id="filter-sort" className="usa-select" value={sort} onChange={(e) => update('sort', e.target.value)}>
            {SORTS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        {(filtered || typed) && (
          <button type="button" className="usa-button usa-button--unstyled fap-filters__clear" onClick={() => setParams(sort ? new URLSearchParams({ sort }) : new URLSearchParams(), { replace: true })}>
            Clear filters
          </button>
        )}
      </form>
      <ProblemAlert error={list.error} />
      {list.loading && list.items.length === 0 ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        <Empty>
          <p>{filtered ? 'No request matches these filters.' : 'No designation requests yet.'}</p>
        </Empty>
      ) : (
        <div className="fap-table-wrap">
          <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
            <caption className="usa-sr-only">{sort ? 'Designation requests, soonest requested response date first; requests without a date last' : 'Designation requests, newest first'}</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                {!role.isDeveloper && <th scope="col">Developer</th>}
                <th scope="col">Status</th>
                <th scope="col">Submitted</th>
                <th scope="col" aria-sort={sort ? 'ascending' : undefined}>
                  Response requested by
                </th>
                {!role.isDeveloper && <th scope="col">Assigned to</th>}
              </tr>
            </thead>
            <tbody>
              {list.items.map((r) => (
                <tr key={r.id}>
                  <th scope="row" data-label="Model">
                    <Link className="usa-link" to={`/designation-requests/${r.id}`}>
                      {r.model_name} {r.model_version}
                    </Link>
                    {/* The search also reads the summary: show its start, so a match can be seen. */}
                    <span className="fap-row-summary">{r.summary}</span>
                  </th>
                  {!role.isDeveloper && <td data-label="Developer">{r.developer_org_name}</td>}
                  <td data-label="Status">
                    <StatusTag status={r.status} />
                    {r.determination && (
                      <>
                        {' '}
                        <StatusTag status={r.determination.outcome} />
                      </>
                    )}
                  </td>
                  <td data-label="Submitted">
                    <DateTime value={r.submitted_at} dateOnly />
                  </td>
                  <td data-label="Response requested by">
                    <CalendarDate value={r.requested_response_by} />
                    {r.overdue && (
                      <>
                        {' '}
                        <StatusTag status="overdue" />
                      </>
                    )}
                  </td>
                  {!role.isDeveloper && <td data-label="Assigned to">{r.assigned_to?.name ?? 'Unassigned'}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
    </>
  );
}

/** The fields a developer writes on a request, shared by the filing and the draft's edit form. */
type RequestText = { summary: string; capability_evidence: string; by: string };

function RequestTextFields({ v, setV, fe }: { v: RequestText; setV: (next: RequestText) => void; fe: Record<string, string> }) {
  return (
    <>
      <TextAreaField name="summary" label="Summary" required value={v.summary} onChange={(e) => setV({ ...v, summary: e.target.value })} error={fe.summary} hint="What you are asking and why, in a few sentences." />
      <TextAreaField
        name="capability_evidence"
        label="Capability evidence"
        required
        rows={8}
        value={v.capability_evidence}
        onChange={(e) => setV({ ...v, capability_evidence: e.target.value })}
        error={fe.capability_evidence}
        hint="Unclassified evaluation results and observations that bear on the model’s capabilities. Do not paste secrets or access credentials."
      />
      <TextField
        name="requested_response_by"
        label="Response requested by"
        type="date"
        min={todayDateInput()}
        value={v.by}
        onChange={(e) => setV({ ...v, by: e.target.value })}
        error={fe.requested_response_by}
        hint="Optional. A calendar day, today or later, you would like an answer by. Reviewers see it; it does not bind anyone."
      />
    </>
  );
}

/** The open request a `duplicate_request` problem names, if that is what the error is. */
function openRequestOf(error: ApiError | null): string | null {
  if (error?.code !== 'duplicate_request') return null;
  const id = error.problem.open_request_id;
  return typeof id === 'string' ? id : null;
}

export function RequestNew() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { setFlash } = useFlash();
  const models = usePaged((p) => modelsApi.list({}, p), [], 200);
  const [v, setV, draft] = useDraft('designation-request', params.get('model_id') ?? 'new', { model_id: params.get('model_id') ?? '', summary: '', capability_evidence: '', by: '' });
  // A model version has one open request at a time: say so before the developer writes one.
  const open = useResource(
    v.model_id ? () => designationsApi.list({ model_id: v.model_id }, { limit: 20 }).then((p) => p.items.find((r) => r.status !== 'withdrawn' && r.status !== 'determined') ?? null) : null,
    [v.model_id],
  );
  const action = useAction(async () => {
    const r = await designationsApi.create({
      model_id: v.model_id,
      summary: v.summary.trim(),
      capability_evidence: v.capability_evidence.trim(),
      requested_response_by: v.by || null,
    });
    draft.clear();
    setFlash('Draft saved. Review it, then submit it when you are ready.');
    navigate(`/designation-requests/${r.id}`);
  });
  const fe = action.fieldErrors;
  const duplicateOf = openRequestOf(action.error);
  const openNow = open.data;
  return (
    <div className="fap-narrow">
      <BackLink to="/designation-requests">Designation requests</BackLink>
      <PageTitle lead="This creates a draft only you can see. Nothing is sent to the Government until you submit it.">
        File a designation request
      </PageTitle>
      <VoluntaryNotice />
      <ProblemAlert error={action.error ?? models.error} heading={duplicateOf ? 'This model already has an open request' : undefined} />
      {duplicateOf && (
        <p>
          <Link className="usa-link" to={`/designation-requests/${duplicateOf}`}>
            Go to the open request
          </Link>
        </p>
      )}
      <DraftNotice draft={draft} />
      {models.loading && models.items.length === 0 ? (
        <Loading label="Loading your models…" />
      ) : models.items.length === 0 ? (
        <Empty>
          <p>Register a model first.</p>
          <Link to="/models/new" className="usa-button">
            Register a model
          </Link>
        </Empty>
      ) : (
        <form
          className="usa-form usa-form--large"
          noValidate
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void action.run();
          }}
        >
          <ModelSelect models={models.items} value={v.model_id} onChange={(model_id) => setV({ ...v, model_id })} error={fe.model_id} />
          {openNow && !duplicateOf && (
            <InfoAlert slim>
              This model version already has an open request ({statusLabel(openNow.status).toLowerCase()}).{' '}
              <Link className="usa-link" to={`/designation-requests/${openNow.id}`}>
                Go to the open request
              </Link>
              {openNow.status === 'draft' ? ' to edit it' : ''}, or withdraw it before filing a new one.
            </InfoAlert>
          )}
          <RequestTextFields v={v} setV={(next) => setV({ ...v, ...next })} fe={fe} />
          <SubmitButton busy={action.busy}>Save draft</SubmitButton>
        </form>
      )}
    </div>
  );
}

/** The draft's edit form, prefilled ("review it, then submit"): only drafts can be edited. */
export function RequestEdit() {
  const { id = '' } = useParams();
  const res = useResource(() => designationsApi.get(id), [id]);
  return (
    <div className="fap-narrow">
      <BackLink to={`/designation-requests/${id}`}>Designation request</BackLink>
      <Loaded resource={res}>{(r) => <RequestEditForm r={r} />}</Loaded>
    </div>
  );
}

function RequestEditForm({ r }: { r: DesignationRequest }) {
  const navigate = useNavigate();
  const { setFlash } = useFlash();
  const [v, setV, draft] = useDraft<RequestText>('designation-request-edit', r.id, { summary: r.summary, capability_evidence: r.capability_evidence, by: r.requested_response_by ?? '' });
  const action = useAction(async () => {
    await designationsApi.edit(r.id, { summary: v.summary.trim(), capability_evidence: v.capability_evidence.trim(), requested_response_by: v.by || null });
    draft.clear();
    setFlash('Draft updated. Review it, then submit it when you are ready.');
    navigate(`/designation-requests/${r.id}`);
  });
  const title = `Edit draft: ${r.model_name} ${r.model_version}`;
  if (r.status !== 'draft') {
    return (
      <>
        <PageTitle title={title}>{title}</PageTitle>
        <InfoAlert>
          This request was submitted, so it can no longer be edited: reviewers read what was submitted. Add anything new as a message on the{' '}
          <Link className="usa-link" to={`/designation-requests/${r.id}`}>
            request page
          </Link>
          .
        </InfoAlert>
      </>
    );
  }
  return (
    <>
      <PageTitle title={title} lead="Only you can see this draft. Nothing is sent to the Government until you submit it.">
        {title}
      </PageTitle>
      <ProblemAlert error={action.error} />
      <DraftNotice draft={draft} />
      <form
        className="usa-form usa-form--large"
        noValidate
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <RequestTextFields v={v} setV={setV} fe={action.fieldErrors} />
        <div className="fap-actions">
          <SubmitButton busy={action.busy}>Save changes</SubmitButton>
          <Link className="usa-button usa-button--outline" to={`/designation-requests/${r.id}`}>
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}

export function RequestDetail() {
  const { id = '' } = useParams();
  const role = useRole();
  const res = useResource(() => designationsApi.get(id), [id]);
  const [notice, setNotice] = useState<string | null>(null);
  const messages = usePaged((p) => designationsApi.messages(id, p), [id], 200);

  // Every action answers the request as it now is, except a new message (answers the message).
  const after = async (msg: string, p: Promise<DesignationRequest | Message>) => {
    const out = await p;
    if ('model_id' in out) res.setData(out);
    else await res.reload();
    await messages.reload();
    setNotice(msg);
  };

  return (
    <>
      <BackLink to="/designation-requests">{role.isDeveloper ? 'Designation requests' : 'Review queue'}</BackLink>
      <Loaded resource={res}>
        {(r) => {
          const open = r.status !== 'withdrawn' && r.status !== 'determined';
          return (
            <>
              <PageTitle title={`Designation request: ${r.model_name} ${r.model_version}`}>
                Designation request: {r.model_name} {r.model_version} <StatusTag status={r.status} />
              </PageTitle>
              {notice && <SuccessAlert>{notice}</SuccessAlert>}
              {r.overdue && (
                <InfoAlert slim>
                  <strong>Overdue:</strong> the developer asked for a response by <CalendarDate value={r.requested_response_by} />, and the request still awaits the Government.
                </InfoAlert>
              )}
              {role.isDeveloper && <VoluntaryNotice />}
              {r.determination && <DeterminationBox r={r} />}
              {role.isDeveloper && <DeveloperActions r={r} after={after} />}
              <Facts
                items={[
                  ['Developer', r.developer_org_name],
                  // Only the developer sees its model records (as on grants and nominations).
                  ['Model', role.isDeveloper ? <Link className="usa-link" to={`/models/${r.model_id}`}>{`${r.model_name} ${r.model_version}`}</Link> : `${r.model_name} ${r.model_version}`],
                  ['Filed', <DateTime value={r.created_at} />],
                  ['Submitted', <DateTime value={r.submitted_at} />],
                  [
                    'Response requested by',
                    <>
                      <CalendarDate value={r.requested_response_by} />
                      {r.overdue && (
                        <>
                          {' '}
                          <StatusTag status="overdue" />
                        </>
                      )}
                    </>,
                  ],
                  ['Assigned reviewer', r.assigned_to?.name ?? 'Not yet assigned'],
                  ...(r.withdrawn_at ? ([['Withdrawn', <DateTime value={r.withdrawn_at} />]] as [string, React.ReactNode][]) : []),
                ]}
              />
              <Section title="Summary">
                <Prose text={r.summary} />
              </Section>
              <Section title="Capability evidence">
                <Prose text={r.capability_evidence} />
              </Section>
              <Consultations r={r} />
              <Thread r={r} messages={messages} after={after} role={role} />
              {role.isAgency && open && r.status !== 'draft' && <ReviewerActions r={r} role={role} after={after} />}
              <AuditTrail
                targetId={r.id}
                knownNames={{ [r.developer_org_id]: r.developer_org_name, ...(r.assigned_to ? { [r.assigned_to.id]: r.assigned_to.name } : {}) }}
              />
            </>
          );
        }}
      </Loaded>
    </>
  );
}

type After = (msg: string, p: Promise<DesignationRequest | Message>) => Promise<void>;

function DeterminationBox({ r }: { r: DesignationRequest }) {
  const d = r.determination!;
  return (
    <div className="fap-determination" role="region" aria-label="Determination">
      <h2>
        Determination: <StatusTag status={d.outcome} />
      </h2>
      <p>
        Recorded by {d.determined_by_name} on <DateTime value={d.determined_at} />. Benchmark reference: <code>{d.benchmark_ref}</code>
      </p>
      <h3>Unclassified rationale</h3>
      <Prose text={d.rationale} />
      <p className="fap-muted">A determination has no effect on what the developer may do with the model.</p>
    </div>
  );
}

function DeveloperActions({ r, after }: { r: DesignationRequest; after: After }) {
  const submit = useAction(() => after('Request submitted to the reviewers.', designationsApi.submit(r.id)));
  return (
    <>
      <ProblemAlert error={submit.error} />
      {r.status === 'info_requested' && (
        <InfoAlert heading="Reviewers asked for more information">
          Read their question and answer it in <a href="#answer">Messages</a> below: your answer goes to the reviewers and the request returns to review. Answering is optional.
        </InfoAlert>
      )}
      <div className="fap-actions">
        {r.status === 'draft' && (
          <Link className="usa-button usa-button--outline" to={`/designation-requests/${r.id}/edit`}>
            Edit draft
          </Link>
        )}
        {r.status === 'draft' && (
          <ConfirmAction
            label={submit.busy ? 'Submitting…' : 'Submit to reviewers'}
            confirmLabel="Submit to reviewers"
            heading="Submit this request to the reviewers?"
            danger={false}
            busy={submit.busy}
            onConfirm={() => submit.run()}
          >
            <p>
              NSA reviewers see the request once it is submitted and may consult the National Cyber Director, APST, CISA and the Department of War. A submitted request can no
              longer be edited. You may withdraw it at any time, and a determination changes nothing you may do with the model.
            </p>
          </ConfirmAction>
        )}
        {r.status !== 'withdrawn' && (
          <ConfirmAction
            label="Withdraw request"
            heading="Withdraw this designation request?"
            onConfirm={() => after('Request withdrawn.', designationsApi.withdraw(r.id))}
          >
            <p>The request stops at once. No reason is needed and nothing else changes: you can file a new request at any time.</p>
          </ConfirmAction>
        )}
        {(r.status === 'withdrawn' || r.status === 'determined') && (
          <Link className="usa-button usa-button--outline" to={`/designation-requests/new?model_id=${r.model_id}`}>
            File a new request
          </Link>
        )}
      </div>
    </>
  );
}

function Consultations({ r }: { r: DesignationRequest }) {
  return (
    <Section title="Consultations">
      <ul className="fap-consulted" aria-label="Offices consulted">
        {CONSULTED_AGENCIES.map((a) => {
          const done = !!r.consulted?.[a.code];
          return (
            <li key={a.code} className={done ? 'is-done' : 'is-pending'}>
              <span aria-hidden="true">{done ? '✓' : '○'}</span> {a.label}: {done ? 'consulted' : 'not yet'}
            </li>
          );
        })}
      </ul>
      {r.consultations.length === 0 ? (
        <p>No consultation recorded yet.</p>
      ) : (
        <div className="fap-table-wrap">
          <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
            <caption className="usa-sr-only">Recorded consultations</caption>
            <thead>
              <tr>
                <th scope="col">Office</th>
                <th scope="col">Position</th>
                <th scope="col">Note</th>
                <th scope="col">Recorded</th>
              </tr>
            </thead>
            <tbody>
              {r.consultations.map((c) => (
                <tr key={c.id}>
                  <th scope="row" data-label="Office">
                    {c.agency_code}
                  </th>
                  <td data-label="Position">
                    <StatusTag status={c.position} />
                  </td>
                  <td data-label="Note" className="fap-prose">
                    {c.note}
                  </td>
                  <td data-label="Recorded">
                    {c.recorded_by_name}, <DateTime value={c.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function ReviewerActions({ r, role, after }: { r: DesignationRequest; role: Role; after: After }) {
  return (
    <Section title="Review actions">
      <div className="fap-panels">
        <AssignForm r={r} role={role} after={after} />
        <RequestInfoForm r={r} after={after} />
        <ConsultationForm r={r} role={role} after={after} />
        {role.isNSA && <DeterminationForm r={r} after={after} />}
      </div>
    </Section>
  );
}

function AssignForm({ r, role, after }: { r: DesignationRequest; role: Role; after: After }) {
  const org = useResource(organizationsApi.mine, []);
  const [userId, setUserId] = useState(r.assigned_to?.id ?? '');
  const action = useAction((uid: string) => after('Reviewer assigned.', designationsApi.assign(r.id, uid)));
  const users = (org.data?.users ?? []).filter((u) => !u.disabled);
  return (
    <div className="fap-panel">
      <h3>Assign a reviewer</h3>
      <p>Currently: {r.assigned_to?.name ?? 'unassigned'}.</p>
      <ProblemAlert error={action.error} />
      {users.length > 0 ? (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (userId) void action.run(userId);
          }}
        >
          <SelectField name="user_id" label="Reviewer" required value={userId} onChange={(e) => setUserId(e.target.value)} placeholder="- Select a colleague -" options={users.map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }))} error={action.fieldErrors.user_id} />
          <div className="fap-actions">
            <SubmitButton busy={action.busy}>Assign</SubmitButton>
            {r.assigned_to?.id !== role.userId && (
              <button type="button" className="usa-button usa-button--outline" onClick={() => void action.run(role.userId)} disabled={action.busy}>
                Assign to me
              </button>
            )}
          </div>
        </form>
      ) : (
        r.assigned_to?.id !== role.userId && (
          <button type="button" className="usa-button" onClick={() => void action.run(role.userId)} disabled={action.busy}>
            Assign to me
          </button>
        )
      )}
    </div>
  );
}

function RequestInfoForm({ r, after }: { r: DesignationRequest; after: After }) {
  const [text, setText, draft] = useDraft('request-info', r.id, '');
  const action = useAction(async () => {
    await after('Information requested from the developer.', designationsApi.requestInfo(r.id, text.trim()));
    setText('');
  });
  return (
    <div className="fap-panel">
      <h3>Request information</h3>
      <ProblemAlert error={action.error} />
      <DraftNotice draft={draft} />
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <TextAreaField name="info_message" label="What do you need from the developer?" required value={text} onChange={(e) => setText(e.target.value)} error={action.fieldErrors.message} hint="The developer is notified by email (without this text) and may answer or not." />
        <SubmitButton busy={action.busy} busyLabel="Sending…">
          Send request
        </SubmitButton>
      </form>
    </div>
  );
}

function ConsultationForm({ r, role, after }: { r: DesignationRequest; role: Role; after: After }) {
  // An office records only its own position: the office is always the reviewer's own agency.
  const office = role.agencyCode ?? '';
  const [v, setV, draft] = useDraft('consultation', r.id, { position: '', note: '' });
  const action = useAction(async () => {
    await after('Consultation recorded.', designationsApi.consult(r.id, { agency_code: office as AgencyCode, position: v.position as Position, note: v.note.trim() }));
    setV({ position: '', note: '' });
  });
  const fe = action.fieldErrors;
  return (
    <div className="fap-panel">
      <h3>Record a consultation</h3>
      <ProblemAlert error={action.error} />
      <DraftNotice draft={draft} />
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <p>
          Recording the position of your office: <strong>{AGENCY_LABELS[office] ?? office}</strong>. Each office records its own consultation.
        </p>
        <RadioGroup
          name="position"
          legend="Position"
          value={v.position}
          onChange={(p) => setV({ ...v, position: p })}
          options={POSITION_OPTIONS}
          error={fe.position}
        />
        <TextAreaField name="note" label="Note" required value={v.note} onChange={(e) => setV({ ...v, note: e.target.value })} error={fe.note} hint="Unclassified. Visible to the developer." />
        <SubmitButton busy={action.busy}>Record consultation</SubmitButton>
      </form>
    </div>
  );
}

function DeterminationForm({ r, after }: { r: DesignationRequest; after: After }) {
  const [v, setV, draft] = useDraft('determination', r.id, { outcome: '', rationale: '', benchmark_ref: '' });
  const action = useAction(async () => {
    await after('Determination recorded and shared with the developer.', designationsApi.determine(r.id, { outcome: v.outcome as Outcome, rationale: v.rationale.trim(), benchmark_ref: v.benchmark_ref.trim() }));
    draft.clear();
  });
  const fe = action.fieldErrors;
  const confirm = useRef<ConfirmDialogRef>(null);
  const missing = CONSULTED_AGENCIES.filter((a) => !r.consulted?.[a.code]).map((a) => a.label);
  const outcomeLabel = v.outcome ? statusLabel(v.outcome) : null;
  return (
    <div className="fap-panel fap-panel--wide">
      <h3>Record the determination (NSA)</h3>
      {missing.length > 0 && (
        <InfoAlert slim>
          Not yet consulted: {missing.join(', ')}. Sec. 3(a) asks the Director of NSA to decide in consultation with these offices.
        </InfoAlert>
      )}
      <ProblemAlert error={action.error} />
      <DraftNotice draft={draft} />
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          confirm.current?.open();
        }}
      >
        <RadioGroup
          name="outcome"
          legend="Outcome"
          value={v.outcome}
          onChange={(o) => setV({ ...v, outcome: o })}
          options={OUTCOME_OPTIONS}
          error={fe.outcome}
        />
        <TextAreaField name="rationale" label="Unclassified rationale" required rows={6} value={v.rationale} onChange={(e) => setV({ ...v, rationale: e.target.value })} error={fe.rationale} hint="Shared with the developer. Must be unclassified." />
        <TextField
          name="benchmark_ref"
          label="Benchmark reference label"
          required
          value={v.benchmark_ref}
          onChange={(e) => setV({ ...v, benchmark_ref: e.target.value })}
          error={fe.benchmark_ref}
          hint="An opaque label only. Never enter benchmark content or classified information."
        />
        <SubmitButton busy={action.busy}>Record determination</SubmitButton>
      </form>
      <ConfirmDialog ref={confirm} heading="Record this determination?" confirmLabel="Record determination" danger={false} closeFirst onConfirm={() => void action.run()}>
        {outcomeLabel && (
          <p>
            Outcome: <strong>{outcomeLabel}</strong>.
          </p>
        )}
        {missing.length > 0 ? (
          <p>
            <strong>Offices not yet consulted: {missing.join(', ')}.</strong> Sec. 3(a) asks the Director of NSA to decide in consultation with these offices.
          </p>
        ) : (
          <p>Every office NSA consults (National Cyber Director, APST, CISA, Department of War) has recorded its position.</p>
        )}
        <p>A determination cannot be amended once recorded. The developer sees it and its unclassified rationale at once.</p>
      </ConfirmDialog>
    </div>
  );
}

function Thread({
  r,
  messages,
  after,
  role,
}: {
  r: DesignationRequest;
  messages: ReturnType<typeof usePaged<Message>>;
  after: After;
  role: Role;
}) {
  const [text, setText, draft] = useDraft('message', r.id, '');
  // One box: while the reviewers wait for the developer's information, the developer's message
  // is the answer (`respond`, which returns the request to review), not a plain thread message.
  const answering = role.isDeveloper && r.status === 'info_requested';
  const action = useAction(async () => {
    if (answering) await after('Answer sent. The request is back under review.', designationsApi.respond(r.id, text.trim()));
    else await after('Message sent.', designationsApi.postMessage(r.id, text.trim()));
    setText('');
  });
  const canPost = r.status !== 'withdrawn' && (role.isDeveloper || role.isAgency);
  const question = answering ? [...messages.items].reverse().find((m) => m.kind === 'info_request') : undefined;
  return (
    <Section title="Messages">
      {messages.error && <ProblemAlert error={messages.error} heading="Messages could not be loaded" />}
      {messages.loading && messages.items.length === 0 ? (
        <Loading />
      ) : messages.items.length === 0 ? (
        <p>No messages yet.</p>
      ) : (
        <ol className="fap-thread">
          {messages.items.map((m) => (
            <li key={m.id} className={`fap-thread__item fap-thread__item--${m.kind}`}>
              <p className="fap-thread__meta">
                <strong>{m.author_name}</strong>, {m.author_org_name} · <DateTime value={m.created_at} />
                {m.kind !== 'message' && <span className="fap-thread__kind"> · {MESSAGE_KIND_LABELS[m.kind] ?? m.kind}</span>}
              </p>
              <div className="fap-prose">{m.body}</div>
            </li>
          ))}
        </ol>
      )}
      <LoadMore hasMore={messages.hasMore} loading={messages.loading} onClick={() => void messages.loadMore()} />
      {canPost && r.status !== 'draft' && (
        <>
          <ProblemAlert error={action.error} />
          <DraftNotice draft={draft} />
          <form
            id="answer"
            className="usa-form usa-form--large"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void action.run();
            }}
          >
            {answering ? (
              <TextAreaField
                name="message"
                label="Your answer to the reviewers"
                required
                value={text}
                onChange={(e) => setText(e.target.value)}
                error={action.fieldErrors.message}
                hint={`${question ? `They asked: “${question.body.length > 160 ? `${question.body.slice(0, 160)}…` : question.body}” ` : ''}Unclassified only. Sending it answers the information request and returns the request to review.`}
              />
            ) : (
              <TextAreaField name="body" label="New message" required value={text} onChange={(e) => setText(e.target.value)} error={action.fieldErrors.body} hint="Unclassified only. Visible to the developer and the reviewing agencies." />
            )}
            <SubmitButton busy={action.busy} busyLabel="Sending…">
              {answering ? 'Send answer' : 'Send message'}
            </SubmitButton>
          </form>
        </>
      )}
    </Section>
  );
}
