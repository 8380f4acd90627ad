import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { fetchAll, type ApiError } from '../api/client';
import * as grantsApi from '../api/grants';
import * as modelsApi from '../api/models';
import * as organizationsApi from '../api/organizations';
import * as termsApi from '../api/terms';
import type { AccessGrant, AccessGrantSummary, AccessKind, AccessLogEntry, AccessMode, ModelSummary, Organization, TermsSummary } from '../api/types';
import { useMe, useRole, type Role } from '../auth/AuthContext';
import { AuditTrail, shortId } from '../components/AuditTrail';
import { ConfirmAction } from '../components/ConfirmAction';
import { DateTimeField, RadioGroup, ModelSelect, SelectField, SubmitButton, TextAreaField, TextField } from '../components/fields';
import { useFlash } from '../components/Flash';
import { AcceptTerms, AcknowledgeTerms, DeclinedNotice, DeclineGrant, Instructions, Roster, TermsPanel } from '../components/grantParts';
import { GrantMessages } from '../components/GrantMessages';
import { Timeline } from '../components/Timeline';
import {
  BackLink,
  Countdown,
  DateTime,
  Empty,
  Facts,
  InfoAlert,
  LoadMore,
  Loaded,
  Loading,
  PageTitle,
  ProblemAlert,
  Section,
  StatusTag,
  SuccessAlert,
  TimeRemaining,
  VoluntaryNotice,
  fieldId,
} from '../components/ui';
import { MS_DAY, daysBetween, formatDateTime, fromLocalInput, toLocalInput } from '../lib/dates';
import { useAction, usePaged, useResource } from '../lib/hooks';
import { ACCESS_KIND_LABELS, ACCESS_MODE_LABELS, modelLabel, shownStatus } from '../lib/labels';
import { fmt, useModelWindows, windowsOf, withCurrent } from '../lib/modelWindows';

export function grantees(g: AccessGrantSummary): string {
  return g.grantees.map((x) => x.name).join(', ') || '—';
}

export function GrantsList() {
  const role = useRole();
  const list = usePaged((p) => grantsApi.list({}, p), []);
  return (
    <>
      <PageTitle
        lead={
          role.isDeveloper
            ? 'Time-boxed access you offer to Government agencies before release. All windows of one model together never exceed 30 days. You can shorten or end any window at any time.'
            : 'Access to models offered to your agency by developers, under agreed terms.'
        }
      >
        {role.isDeveloper ? 'Government access grants' : 'Access grants'}
      </PageTitle>
      {role.isDeveloper && role.isAdmin && (
        <p>
          <Link to="/access-grants/new" className="usa-button">
            Offer Government access
          </Link>
        </p>
      )}
      <ProblemAlert error={list.error} />
      {list.loading && list.items.length === 0 ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        <Empty>
          <p>No access grants yet.</p>
        </Empty>
      ) : (
        <GrantTable items={list.items} role={role} />
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
    </>
  );
}

export function GrantTable({ items, role }: { items: AccessGrantSummary[]; role: Role }) {
  return (
    <div className="fap-table-wrap">
      <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
        <caption className="usa-sr-only">Government access grants</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">{role.isDeveloper ? 'Agencies' : 'Developer'}</th>
            <th scope="col">Window</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {items.map((g) => (
            <tr key={g.id}>
              <th scope="row" data-label="Model">
                <Link className="usa-link" to={`/access-grants/${g.id}`}>
                  {modelLabel(g.model_name, g.model_version)}
                </Link>
              </th>
              <td data-label={role.isDeveloper ? 'Agencies' : 'Developer'}>{role.isDeveloper ? grantees(g) : g.developer_org_name}</td>
              <td data-label="Window">
                <DateTime value={g.starts_at} dateOnly /> – <DateTime value={g.ends_at} dateOnly />
              </td>
              <td data-label="Status">
                <StatusTag status={shownStatus(g.status, g.grantees)} />
                {(() => {
                  // The developer sees which agencies declined; an agency sees its own decline.
                  const declined = g.grantees.filter((x) => x.declined_at && (role.isDeveloper || x.org_id === role.orgId));
                  return declined.length > 0 && shownStatus(g.status, g.grantees) !== 'declined' ? (
                    <>
                      {' '}
                      <StatusTag status="declined" label={role.isDeveloper && g.grantees.length > 1 ? `Declined by ${declined.map((x) => x.agency_code ?? x.name).join(', ')}` : 'Declined'} />
                    </>
                  ) : null;
                })()}
                {g.status === 'active' && (
                  <>
                    <br />
                    <Countdown end={g.ends_at} />
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The 30-day cap problem (422 `window_cap_exceeded`) in words, with the server's day counts,
 * shown at the "Window ends" field. Falls back to the server's own field message.
 */
export function capMessage(error: ApiError | null, windowDays: number): string | undefined {
  if (!error || error.code !== 'window_cap_exceeded') return error?.fieldErrors.ends_at;
  const p = error.problem;
  const num = (k: string) => (typeof p[k] === 'number' ? (p[k] as number) : null);
  const granted = num('granted_days');
  const remaining = num('remaining_days');
  if (remaining == null) return error.fieldErrors.ends_at ?? error.message;
  const parts = [
    Number.isFinite(windowDays) && windowDays > 0
      ? `This window is ${fmt(windowDays)} days, but only ${fmt(remaining)} of the model’s 30 Government days remain`
      : `Only ${fmt(remaining)} of the model’s 30 Government days remain`,
  ];
  if (granted != null) parts[0] += ` (${fmt(granted)} already granted)`;
  parts[0] += '.';
  parts.push(
    remaining > 0
      ? `Choose an earlier end: at most ${fmt(remaining)} more days (time overlapping an existing window counts once).`
      : 'No Government days are left for this model.',
  );
  const latest = typeof p.latest_end_at === 'string' ? p.latest_end_at : null;
  if (latest) parts.push(`The latest end that fits is ${formatDateTime(latest)}.`);
  return parts.join(' ');
}

function nextHour(offsetDays = 0): Date {
  const d = new Date(Date.now() + offsetDays * MS_DAY);
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1);
  return d;
}

export function GrantNew() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { setFlash } = useFlash();
  const [models, setModels] = useState<ModelSummary[] | null>(null);
  const [agencies, setAgencies] = useState<Organization[] | null>(null);
  const [terms, setTerms] = useState<TermsSummary[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  useEffect(() => {
    Promise.all([
      fetchAll((p) => modelsApi.list({}, p)),
      fetchAll((p) => organizationsApi.directory({ kind: 'agency' }, p)),
      fetchAll(termsApi.list),
    ])
      .then(([m, a, t]) => {
        setModels(m);
        setAgencies(a);
        setTerms(t);
      })
      .catch(setLoadError);
  }, []);

  const [v, setV] = useState({
    model_id: params.get('model_id') ?? '',
    grantee_org_ids: [] as string[],
    access_mode: 'hosted_api',
    access_instructions: '',
    starts: toLocalInput(nextHour()),
    ends: toLocalInput(nextHour(14)),
    terms_version_id: '',
  });
  const model = models?.find((m) => m.id === v.model_id) ?? null;
  const startIso = fromLocalInput(v.starts);
  const endIso = fromLocalInput(v.ends);
  const lengthDays = startIso && endIso ? daysBetween(startIso, endIso) : NaN;

  const warnings = useMemo(() => {
    const w: string[] = [];
    if (!Number.isNaN(lengthDays)) {
      if (lengthDays <= 0) w.push('The window must end after it starts.');
      else if (lengthDays > 30) w.push('A window cannot be longer than 30 days.');
      else if (model && lengthDays > model.government_days_remaining + 1e-9)
        w.push(`This model has ${fmt(model.government_days_remaining)} Government days left; overlapping an existing window does not count twice.`);
    }
    if (model?.planned_partner_release_at && endIso && Date.parse(endIso) > Date.parse(model.planned_partner_release_at))
      w.push(`The window must end by the planned partner release (${formatDateTime(model.planned_partner_release_at)}).`);
    return w;
  }, [lengthDays, model, endIso]);

  const action = useAction(async () => {
    const g = await grantsApi.offer({
      model_id: v.model_id,
      grantee_org_ids: v.grantee_org_ids,
      access_mode: v.access_mode as AccessMode,
      access_instructions: v.access_instructions.trim(),
      starts_at: startIso ?? '',
      ends_at: endIso ?? '',
      terms_version_id: v.terms_version_id,
    });
    setFlash('Access offered. The agencies are notified; the window opens once everyone has accepted the terms.');
    navigate(`/access-grants/${g.id}`);
  });
  const fe = action.fieldErrors;
  const toggleAgency = (id: string, on: boolean) =>
    setV({ ...v, grantee_org_ids: on ? [...v.grantee_org_ids, id] : v.grantee_org_ids.filter((x) => x !== id) });

  return (
    <div className="fap-narrow">
      <BackLink to="/access-grants">Government access grants</BackLink>
      <PageTitle lead="Offer a Government agency time-boxed access to a model before its release to other trusted partners (Sec. 3(b)(ii)).">
        Offer Government access
      </PageTitle>
      <VoluntaryNotice />
      {loadError ? <ProblemAlert error={loadError as never} /> : null}
      <ProblemAlert error={action.error} />
      {!models || !agencies || !terms ? (
        !loadError && <Loading />
      ) : (
        <form
          className="usa-form usa-form--large"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void action.run();
          }}
        >
          <ModelSelect
            models={models}
            value={v.model_id}
            onChange={(model_id) => setV({ ...v, model_id })}
            describe={(i) => `(${fmt(models[i].government_days_remaining)} Government days left)`}
            error={fe.model_id}
          />
          {model && (
            <p className="fap-computed" aria-live="polite">
              {fmt(model.government_days_remaining)} of 30 Government days left for this model.
              {model.planned_partner_release_at ? <> Windows must end by the planned partner release, {formatDateTime(model.planned_partner_release_at)}.</> : ''}
            </p>
          )}
          <fieldset className={`usa-fieldset usa-form-group${fe.grantee_org_ids ? ' usa-form-group--error' : ''}`} id={fieldId('grantee_org_ids')} tabIndex={-1}>
            <legend className="usa-legend">
              Grantee agencies <abbr title="required" className="usa-hint usa-hint--required">*</abbr>
            </legend>
            <div className="usa-hint">An administrator of each agency must accept the terms before the window opens.</div>
            {fe.grantee_org_ids && (
              <span className="usa-error-message" role="alert">
                {fe.grantee_org_ids}
              </span>
            )}
            {agencies.length === 0 && <p>No agencies are registered yet.</p>}
            {agencies.map((a) => (
              <div className="usa-checkbox" key={a.id}>
                <input
                  className="usa-checkbox__input"
                  id={`agency-${a.id}`}
                  type="checkbox"
                  checked={v.grantee_org_ids.includes(a.id)}
                  onChange={(e) => toggleAgency(a.id, e.target.checked)}
                />
                <label className="usa-checkbox__label" htmlFor={`agency-${a.id}`}>
                  {a.name}
                  {a.agency_code && !a.name.includes(`(${a.agency_code})`) ? ` (${a.agency_code})` : ''}
                </label>
              </div>
            ))}
          </fieldset>
          <RadioGroup
            name="access_mode"
            legend="How access is provided"
            value={v.access_mode}
            onChange={(m) => setV({ ...v, access_mode: m })}
            options={Object.entries(ACCESS_MODE_LABELS).map(([value, label]) => ({ value, label }))}
            error={fe.access_mode}
          />
          <TextAreaField
            name="access_instructions"
            label="Access instructions"
            required
            rows={5}
            value={v.access_instructions}
            onChange={(e) => setV({ ...v, access_instructions: e.target.value })}
            error={fe.access_instructions}
            hint="Shown only to rostered people who acknowledged the terms. Do not paste long-lived secrets: share credentials through a separate channel."
          />
          <DateTimeField name="starts_at" label="Window starts" required value={v.starts} onChange={(e) => setV({ ...v, starts: e.target.value })} error={fe.starts_at} />
          <DateTimeField name="ends_at" label="Window ends" required value={v.ends} onChange={(e) => setV({ ...v, ends: e.target.value })} error={capMessage(action.error, lengthDays)} />
          <p className="fap-computed" aria-live="polite">
            {Number.isNaN(lengthDays) ? 'Enter both dates to see the window length.' : `Window length: ${fmt(lengthDays)} days.`}
          </p>
          {warnings.length > 0 && (
            <div className="usa-alert usa-alert--warning usa-alert--slim" role="status">
              <div className="usa-alert__body">
                {warnings.map((w) => (
                  <p className="usa-alert__text" key={w}>
                    {w}
                  </p>
                ))}
              </div>
            </div>
          )}
          <SelectField
            name="terms_version_id"
            label="Terms"
            required
            value={v.terms_version_id}
            onChange={(e) => setV({ ...v, terms_version_id: e.target.value })}
            placeholder="- Select a terms version -"
            options={terms.map((t) => ({ value: t.id, label: `${t.label}${t.is_template ? ' (portal template)' : ''}` }))}
            error={fe.terms_version_id}
            hint={
              <>
                Published terms cannot change. <Link to="/terms/new" className="usa-link">Publish your own version</Link> if none fits.
              </>
            }
          />
          {v.terms_version_id && <TermsPanel termsId={v.terms_version_id} />}
          <SubmitButton busy={action.busy} busyLabel="Offering…">
            Offer access
          </SubmitButton>
        </form>
      )}
    </div>
  );
}

export function GrantDetail() {
  const { id = '' } = useParams();
  const role = useRole();
  const res = useResource(() => grantsApi.get(id), [id]);
  const [notice, setNotice] = useState<string | null>(null);
  const g = res.data;
  const windows = useModelWindows(g?.model_id ?? null);
  const model = useResource(g && role.isDeveloper ? () => modelsApi.get(g.model_id) : null, [g?.model_id, role.isDeveloper]);

  // Every action answers the grant as it now is.
  const act = async (msg: string, p: Promise<AccessGrant>) => {
    res.setData(await p);
    setNotice(msg);
  };

  return (
    <>
      <BackLink to="/access-grants">Access grants</BackLink>
      <Loaded resource={res}>
        {() => {
          const grant = g!;
          const myGrantee = grant.grantees.find((x) => x.org_id === role.orgId);
          const viewer = grant.viewer ?? { rostered: false, acknowledged: false };
          const isDev = role.isDeveloper;
          const open = grant.status !== 'ended' && grant.status !== 'expired';
          const m = model.data;
          return (
            <>
              <PageTitle title={`Government access: ${modelLabel(grant.model_name, grant.model_version)}`}>
                Government access: {modelLabel(grant.model_name, grant.model_version)} <StatusTag status={shownStatus(grant.status, grant.grantees)} />
              </PageTitle>
              {notice && <SuccessAlert>{notice}</SuccessAlert>}
              {isDev && <VoluntaryNotice />}
              {grant.grantees
                .filter((x) => x.declined_at && (isDev || x.org_id === role.orgId))
                .map((x) => (
                  <DeclinedNotice key={x.org_id} who={x.name} at={x.declined_at!} by={x.declined_by_name} reason={x.decline_reason} isGrantee={x.org_id === role.orgId} isDeveloper={isDev} />
                ))}
              <p className="fap-window-line">
                {grant.status === 'active' && <Countdown end={grant.ends_at} />}
                {grant.status === 'scheduled' && <Countdown end={grant.starts_at} prefix="Opens in: " />}
                {grant.status === 'awaiting_terms' &&
                  (grant.grantees.every((x) => x.declined_at)
                    ? 'Every agency declined this grant, so the window will not open.'
                    : 'The window opens once the developer and every agency that has not declined have accepted the terms.')}
              </p>
              <Facts
                items={[
                  ['Developer', grant.developer_org_name],
                  ['Model', isDev ? <Link className="usa-link" to={`/models/${grant.model_id}`}>{modelLabel(grant.model_name, grant.model_version)}</Link> : modelLabel(grant.model_name, grant.model_version)],
                  ['Agencies', grantees(grant)],
                  ['Access mode', ACCESS_MODE_LABELS[grant.access_mode] ?? grant.access_mode],
                  ['Window starts', <DateTime value={grant.starts_at} />],
                  ['Window ends', <DateTime value={grant.ends_at} />],
                  ...(grant.ended_at ? ([['Ended early', <DateTime value={grant.ended_at} />]] as [string, React.ReactNode][]) : []),
                  ['Time remaining', <TimeRemaining status={shownStatus(grant.status, grant.grantees)} startsAt={grant.starts_at} endsAt={grant.ends_at} />],
                  ['Terms', isDev || role.isOperator ? <Link className="usa-link" to={`/terms/${grant.terms_version_id}`}>{grant.terms_label}</Link> : grant.terms_label],
                ]}
              />
              <Section title="Terms agreement">
                <ul className="fap-agreement">
                  <li>
                    <strong>{grant.developer_org_name}</strong> (developer):{' '}
                    {grant.developer_accepted_at ? (
                      <>
                        accepted <DateTime value={grant.developer_accepted_at} />
                      </>
                    ) : (
                      'not yet accepted'
                    )}
                  </li>
                  {grant.grantees.map((x) => (
                    <li key={x.org_id}>
                      <strong>{x.name}</strong>:{' '}
                      {x.terms_accepted_at ? (
                        <>
                          accepted <DateTime value={x.terms_accepted_at} />
                          {x.accepted_by_name ? ` by ${x.accepted_by_name}` : ''}
                        </>
                      ) : x.declined_at ? (
                        <>
                          <StatusTag status="declined" /> <DateTime value={x.declined_at} />
                          {x.declined_by_name ? ` by ${x.declined_by_name}` : ''}
                        </>
                      ) : (
                        'not yet accepted'
                      )}
                    </li>
                  ))}
                </ul>
                <TermsPanel termsId={grant.terms_version_id} open={(isDev && !grant.developer_accepted_at && shownStatus(grant.status, grant.grantees) !== 'declined') || (!!myGrantee && !myGrantee.terms_accepted_at && !myGrantee.declined_at) || (viewer.rostered && !viewer.acknowledged)} />
                {open && isDev && role.isAdmin && !grant.developer_accepted_at && shownStatus(grant.status, grant.grantees) !== 'declined' && (
                  <AcceptTerms onBehalfOf={grant.developer_org_name} termsLabel={grant.terms_label} onAccept={() => act('Terms accepted for your organization.', grantsApi.acceptTerms(id))} />
                )}
                {open && myGrantee && role.isAdmin && !myGrantee.terms_accepted_at && !myGrantee.declined_at && (
                  <>
                    <AcceptTerms onBehalfOf={myGrantee.name} termsLabel={grant.terms_label} onAccept={() => act('Terms accepted for your agency.', grantsApi.acceptTerms(id))} />
                    <DeclineGrant onBehalfOf={myGrantee.name} developer={grant.developer_org_name} onDecline={(reason) => act('You declined this grant. The developer is told.', grantsApi.decline(id, reason))} />
                  </>
                )}
                {open && viewer.rostered && !viewer.acknowledged && (
                  <AcknowledgeTerms termsLabel={grant.terms_label} onAcknowledge={() => act('Terms acknowledged. The access instructions are now shown.', grantsApi.acknowledge(id))} />
                )}
              </Section>
              <Instructions text={grant.access_instructions ?? null} isDeveloper={isDev} rostered={viewer.rostered} acknowledged={viewer.acknowledged} />
              {isDev && open && <DeveloperControls grant={grant} role={role} act={act} />}
              <Section title="Access windows of this model">
                {windows.loaded ? (
                  <Timeline
                    caption={`Access windows for ${modelLabel(grant.model_name, grant.model_version)}`}
                    currentId={grant.id}
                    windows={windowsOf(withCurrent<AccessGrantSummary>(windows.gov, grant), windows.partner)}
                    plannedRelease={m ? (m.planned_partner_release_at ?? null) : undefined}
                    releasedAt={m?.released_at}
                    governmentDaysGranted={m?.government_days_granted}
                  />
                ) : (
                  <Loading />
                )}
              </Section>
              {(isDev || myGrantee) && (
                <Roster roster={grantsApi.roster(id)} canAdd={!!myGrantee && role.isAdmin && open && !myGrantee.declined_at} canRemove={isDev || (!!myGrantee && role.isAdmin)} onChange={() => void res.reload()} />
              )}
              <AccessLog grant={grant} canLog={viewer.rostered && viewer.acknowledged && grant.status === 'active'} />
              {(isDev || myGrantee) && <GrantMessages thread={grantsApi.messages(id)} grantId={grant.id} writeTo={isDev ? (grant.grantees.length === 1 ? grant.grantees[0].name : 'the agencies') : grant.developer_org_name} between={partiesText(grant.developer_org_name, grant.grantees.map((x) => x.name))} />}
              <AuditTrail
                targetId={grant.id}
                knownNames={Object.fromEntries([[grant.developer_org_id, grant.developer_org_name], ...grant.grantees.map((x) => [x.org_id, x.name])])}
              />
            </>
          );
        }}
      </Loaded>
    </>
  );
}

function DeveloperControls({ grant, role, act }: { grant: AccessGrant; role: Role; act: (m: string, p: Promise<AccessGrant>) => Promise<void> }) {
  const [ends, setEnds] = useState(toLocalInput(grant.ends_at));
  const change = useAction(() => act('End of the window changed.', grantsApi.changeEnd(grant.id, fromLocalInput(ends) ?? '')));
  return (
    <Section title="Your controls">
      <div className="fap-panels">
        <div className="fap-panel">
          <h3>Change the end of the window</h3>
          <p>Move it earlier at any time, or later within the 30-day cap{grant.status === 'active' ? '' : ' and before the planned release'}.</p>
          <ProblemAlert error={change.error} />
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void change.run();
            }}
          >
            <DateTimeField
              name="ends_at"
              label="Window ends"
              required
              value={ends}
              onChange={(e) => setEnds(e.target.value)}
              error={capMessage(change.error, fromLocalInput(ends) ? daysBetween(grant.starts_at, fromLocalInput(ends)!) : NaN)}
            />
            <SubmitButton busy={change.busy}>Save new end</SubmitButton>
          </form>
        </div>
        <div className="fap-panel">
          <h3>End access now</h3>
          <p>Ending is immediate and needs no one’s approval. The agencies are notified.</p>
          {role.isDeveloper && (
            <ConfirmAction label="End access now" heading="End this access grant now?" onConfirm={() => act('Access ended.', grantsApi.end(grant.id))}>
              <p>
                Access to {modelLabel(grant.model_name, grant.model_version)} for {grantees(grant)} stops at once. Days already used still count toward the
                model’s 30-day cap.
              </p>
            </ConfirmAction>
          )}
        </div>
      </div>
    </Section>
  );
}

function AccessLog({ grant, canLog }: { grant: AccessGrant; canLog: boolean }) {
  const me = useMe();
  const role = useRole();
  const list = usePaged((p) => grantsApi.accessLog(grant.id, p), [grant.id]);
  const blank = () => ({ occurred: toLocalInput(new Date()), kind: 'evaluation', duration: '', summary: '' });
  const [v, setV] = useState(blank);
  const [saved, setSaved] = useState<string | null>(null);
  // The entry being corrected: the form then writes a new entry that names it.
  const [correcting, setCorrecting] = useState<AccessLogEntry | null>(null);
  const formHeading = useRef<HTMLHeadingElement>(null);
  const action = useAction(async () => {
    await grantsApi.logAccess(grant.id, {
      occurred_at: fromLocalInput(v.occurred) ?? '',
      kind: v.kind as AccessKind,
      duration_minutes: Number(v.duration),
      summary: v.summary.trim(),
      ...(correcting ? { corrects: correcting.id } : {}),
    });
    setV(blank());
    setSaved(correcting ? 'Correction recorded. The original entry stays in the log and now links to it.' : 'Use recorded.');
    setCorrecting(null);
    await list.reload();
  });
  const fe = action.fieldErrors;
  // The person who logged an entry, or an administrator of their organization, may correct it
  // (while on the roster and having acknowledged the terms, as for any entry).
  const mayWrite = !!grant.viewer?.rostered && !!grant.viewer?.acknowledged;
  const mayCorrect = (e: AccessLogEntry) => mayWrite && (e.user_id === me.user.id || (role.isAdmin && e.organization_name === me.organization.name));
  const byId = useMemo(() => new Map(list.items.map((e) => [e.id, e])), [list.items]);
  const entryName = (id: string) => {
    const e = byId.get(id);
    return e ? `the entry ${e.user_name} recorded ${formatDateTime(e.created_at)}` : `an entry on another page (${shortId(id)})`;
  };
  const startCorrection = (e: AccessLogEntry) => {
    setCorrecting(e);
    setSaved(null);
    action.clear();
    setV({ occurred: toLocalInput(e.occurred_at), kind: e.kind, duration: String(e.duration_minutes), summary: e.summary });
    requestAnimationFrame(() => formHeading.current?.focus());
  };
  if (list.error && (list.error.status === 403 || list.error.status === 404)) return null;
  const showForm = canLog || (correcting !== null && mayWrite);
  return (
    <Section title="Access log">
      <p>Each use of the access is recorded by the person who used it. Entries cannot be edited; a correction is a new entry that names the entry it corrects.</p>
      {grant.viewer?.rostered && (
        <p>
          <a className="usa-link" href={grantsApi.ownLogExportUrl('csv')} download>
            Export my entries (CSV)
          </a>{' '}
          <span className="text-base">· every grant, in the order recorded</span>
        </p>
      )}
      <ProblemAlert error={list.error} />
      {list.loading && list.items.length === 0 ? (
        <Loading />
      ) : list.items.length === 0 ? (
        <Empty>
          <p>No use recorded yet.</p>
        </Empty>
      ) : (
        <div className="fap-table-wrap">
          <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
            <caption className="usa-sr-only">Recorded uses of this access, most recent first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Kind</th>
                <th scope="col">Minutes</th>
                <th scope="col">Summary</th>
                <th scope="col">Corrections</th>
              </tr>
            </thead>
            <tbody>
              {[...list.items].sort((a, b) => Date.parse(b.occurred_at) - Date.parse(a.occurred_at) || b.id.localeCompare(a.id)).map((e) => (
                <tr key={e.id} id={`log-${e.id}`} className={e.corrected_by.length ? 'fap-log-corrected' : undefined}>
                  <th scope="row" data-label="When">
                    <DateTime value={e.occurred_at} />
                    {e.corrected_by.length > 0 && <span className="usa-tag bg-base-dark fap-tag-line">Corrected</span>}
                    {e.corrects && <span className="usa-tag bg-primary fap-tag-line">Correction</span>}
                  </th>
                  <td data-label="Who">
                    {e.user_name}, {e.organization_name}
                  </td>
                  <td data-label="Kind">{ACCESS_KIND_LABELS[e.kind] ?? e.kind}</td>
                  <td data-label="Minutes">{e.duration_minutes}</td>
                  <td data-label="Summary" className="fap-prose">
                    {e.summary}
                  </td>
                  <td data-label="Corrections">
                    {e.corrects && (
                      <span className="display-block">
                        Corrects{' '}
                        <a className="usa-link" href={`#log-${e.corrects}`}>
                          {entryName(e.corrects)}
                        </a>
                      </span>
                    )}
                    {e.corrected_by.map((c) => (
                      <span className="display-block" key={c}>
                        Corrected by{' '}
                        <a className="usa-link" href={`#log-${c}`}>
                          {entryName(c)}
                        </a>
                      </span>
                    ))}
                    {mayCorrect(e) && (
                      <button type="button" className="usa-button usa-button--unstyled display-block margin-top-05" onClick={() => startCorrection(e)}>
                        Correct this entry<span className="usa-sr-only"> of {formatDateTime(e.occurred_at)}</span>
                      </button>
                    )}
                    {!e.corrects && !e.corrected_by.length && !mayCorrect(e) && <span className="text-base">—</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
      {saved && <SuccessAlert>{saved}</SuccessAlert>}
      {showForm && (
        <div className="fap-panel margin-top-3">
          <h3 ref={formHeading} tabIndex={-1}>
            {correcting ? 'Correct an entry' : 'Record a use'}
          </h3>
          {correcting && (
            <InfoAlert slim>
              This records a new entry that corrects {entryName(correcting.id)}. The original stays in the log, marked as corrected.{' '}
              <button
                type="button"
                className="usa-button usa-button--unstyled"
                onClick={() => {
                  setCorrecting(null);
                  setV(blank());
                  action.clear();
                }}
              >
                Cancel the correction
              </button>
            </InfoAlert>
          )}
          <ProblemAlert error={action.error} />
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              setSaved(null);
              void action.run();
            }}
          >
            <DateTimeField name="occurred_at" label="When" required value={v.occurred} onChange={(e) => setV({ ...v, occurred: e.target.value })} error={fe.occurred_at} hint="Inside the window and not in the future." />
            <SelectField name="kind" label="Kind of use" required value={v.kind} onChange={(e) => setV({ ...v, kind: e.target.value })} options={Object.entries(ACCESS_KIND_LABELS).map(([value, label]) => ({ value, label }))} error={fe.kind} />
            <TextField name="duration_minutes" label="Duration in minutes" required type="number" inputMode="numeric" min={1} value={v.duration} onChange={(e) => setV({ ...v, duration: e.target.value })} error={fe.duration_minutes} className="fap-short" />
            <TextAreaField name="summary" label="Summary" required value={v.summary} onChange={(e) => setV({ ...v, summary: e.target.value })} error={fe.summary ?? fe.corrects} hint="Unclassified. What was done, not findings that need protection." />
            <SubmitButton busy={action.busy}>{correcting ? 'Record correction' : 'Record use'}</SubmitButton>
          </form>
        </div>
      )}
      {!canLog && !correcting && grant.viewer?.rostered && grant.status !== 'active' && <InfoAlert slim>Uses can be recorded while the window is active; an entry can be corrected at any time.</InfoAlert>}
    </Section>
  );
}

/** "Aurora AI Labs and NSA office", "Aurora AI Labs, NSA office and CISA office". */
function partiesText(developer: string, grantees: string[]): string {
  const all = [developer, ...grantees];
  return all.length === 1 ? all[0] : `${all.slice(0, -1).join(', ')} and ${all[all.length - 1]}`;
}
