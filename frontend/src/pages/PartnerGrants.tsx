import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert, AlertHeading } from '@trussworks/react-uswds';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { fetchAll } from '../api/client';
import * as modelsApi from '../api/models';
import * as nominationsApi from '../api/nominations';
import * as partnerGrantsApi from '../api/partnerGrants';
import * as termsApi from '../api/terms';
import type { NominationSummary, PartnerGrant, PartnerGrantSummary, TermsSummary, WindowWarning } from '../api/types';
import { useRole } from '../auth/AuthContext';
import { AuditTrail } from '../components/AuditTrail';
import { ConfirmAction } from '../components/ConfirmAction';
import { DateTimeField, SelectField, SubmitButton, TextAreaField } from '../components/fields';
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
} from '../components/ui';
import { MS_DAY, fromLocalInput, toLocalInput } from '../lib/dates';
import { useAction, usePaged, useResource } from '../lib/hooks';
import { modelLabel, shownStatus } from '../lib/labels';
import { useModelWindows, windowsOf, withCurrent } from '../lib/modelWindows';

export function PartnerGrantsList() {
  const role = useRole();
  const list = usePaged((p) => partnerGrantsApi.list({}, p), []);
  return (
    <>
      <PageTitle
        lead={
          role.isPartner
            ? 'Early access to AI models that developers have granted your organization.'
            : 'Early access issued to co-selected trusted partners.'
        }
      >
        {role.isPartner ? 'Early-access grants' : 'Partner early-access grants'}
      </PageTitle>
      {/* Issuing commits the company: developer admins only (DESIGN §1), as "Offer Government access". */}
      {role.isDeveloper && role.isAdmin && (
        <p>
          <Link to="/partner-grants/new" className="usa-button">
            Issue grant
          </Link>
        </p>
      )}
      <ProblemAlert error={list.error} />
      {list.loading && list.items.length === 0 ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        <Empty>
          <p>{role.isPartner ? 'Your organization has no early-access grants yet.' : 'No early-access grants yet.'}</p>
          {role.isDeveloper && <p>Grants are issued from a selected partner nomination.</p>}
        </Empty>
      ) : (
        <PartnerGrantTable items={list.items} showPartner={!role.isPartner} />
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loading} onClick={() => void list.loadMore()} />
    </>
  );
}

export function PartnerGrantTable({ items, showPartner }: { items: PartnerGrantSummary[]; showPartner: boolean }) {
  return (
    <div className="fap-table-wrap">
      <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
        <caption className="usa-sr-only">Early-access grants</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">{showPartner ? 'Partner' : 'Developer'}</th>
            <th scope="col">Window</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {items.map((g) => (
            <tr key={g.id}>
              <th scope="row" data-label="Model">
                <Link className="usa-link" to={`/partner-grants/${g.id}`}>
                  {modelLabel(g.model_name, g.model_version)}
                </Link>
              </th>
              <td data-label={showPartner ? 'Partner' : 'Developer'}>{showPartner ? g.partner_name : g.developer_org_name}</td>
              <td data-label="Window">
                <DateTime value={g.starts_at} dateOnly /> – <DateTime value={g.ends_at} dateOnly />
              </td>
              <td data-label="Status">
                <StatusTag status={shownStatus(g.status, [{ declined_at: g.partner_declined_at }])} />
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

export function PartnerGrantNew() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { setFlash } = useFlash();
  const [noms, setNoms] = useState<NominationSummary[] | null>(null);
  const [terms, setTerms] = useState<TermsSummary[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  useEffect(() => {
    Promise.all([fetchAll((p) => nominationsApi.list({ status: 'selected' }, p)), fetchAll(termsApi.list)])
      .then(([n, t]) => {
        setNoms(n);
        setTerms(t);
      })
      .catch(setLoadError);
  }, []);
  const start = new Date();
  start.setMinutes(0, 0, 0);
  start.setHours(start.getHours() + 1);
  const [v, setV] = useState({
    nomination_id: params.get('nomination_id') ?? '',
    starts: toLocalInput(start),
    ends: toLocalInput(new Date(start.getTime() + 30 * MS_DAY)),
    terms_version_id: '',
    access_instructions: '',
  });
  // Warnings are asked for before issuing and confirmed once for the window they are about:
  // changing the partner or a date asks again.
  const [confirm, setConfirm] = useState<{ key: string; warnings: WindowWarning[] } | null>(null);
  const windowKey = `${v.nomination_id}|${v.starts}|${v.ends}`;
  const pending = confirm && confirm.key === windowKey ? confirm.warnings : null;
  const action = useAction(async () => {
    const body = {
      nomination_id: v.nomination_id,
      starts_at: fromLocalInput(v.starts) ?? '',
      ends_at: fromLocalInput(v.ends) ?? '',
      terms_version_id: v.terms_version_id,
      access_instructions: v.access_instructions.trim(),
    };
    if (!pending) {
      // A preview that fails (a missing partner, a bad date) says nothing: issuing names the problem.
      const w = await partnerGrantsApi.windowWarnings({ nomination_id: body.nomination_id, starts_at: body.starts_at, ends_at: body.ends_at }).catch(() => null);
      if (w && w.warnings.length > 0) {
        setConfirm({ key: windowKey, warnings: w.warnings });
        return;
      }
    }
    const g = await partnerGrantsApi.issue(body);
    setFlash('Early-access grant issued. The partner is notified.');
    navigate(`/partner-grants/${g.id}`);
  });
  const fe = action.fieldErrors;
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  return (
    <div className="fap-narrow">
      <BackLink to="/partner-grants">Partner grants</BackLink>
      <PageTitle lead="Give a selected trusted partner early access to a model.">Issue an early-access grant</PageTitle>
      <VoluntaryNotice />
      {loadError ? <ProblemAlert error={loadError as never} /> : null}
      <ProblemAlert error={action.error} />
      {!noms || !terms ? (
        !loadError && <Loading />
      ) : noms.length === 0 ? (
        <Empty>
          <p>No partner is selected yet. A partner is selected when both you and the Government concur on a nomination.</p>
          <Link className="usa-button" to="/nominations">
            See nominations
          </Link>
        </Empty>
      ) : (
        <form
          className="usa-form usa-form--large"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void action.run();
          }}
        >
          <SelectField name="nomination_id" label="Selected partner" required value={v.nomination_id} onChange={set('nomination_id')} placeholder="- Select a partner -" options={noms.map((n) => ({ value: n.id, label: `${n.partner_name} — ${modelLabel(n.model_name, n.model_version)}` }))} error={fe.nomination_id} />
          <DateTimeField name="starts_at" label="Access starts" required value={v.starts} onChange={set('starts')} error={fe.starts_at} />
          <DateTimeField name="ends_at" label="Access ends" required value={v.ends} onChange={set('ends')} error={fe.ends_at} />
          <SelectField name="terms_version_id" label="Terms" required value={v.terms_version_id} onChange={set('terms_version_id')} placeholder="- Select a terms version -" options={terms.map((t) => ({ value: t.id, label: `${t.label}${t.is_template ? ' (portal template)' : ''}` }))} error={fe.terms_version_id} />
          {v.terms_version_id && <TermsPanel termsId={v.terms_version_id} />}
          <TextAreaField name="access_instructions" label="Access instructions" required rows={5} value={v.access_instructions} onChange={set('access_instructions')} error={fe.access_instructions} hint="Shown only to the partner’s rostered people after they acknowledge the terms." />
          {pending && <WindowWarnings warnings={pending} focus heading="Check this window before you issue it" next="Change the partner or the dates above, or issue the grant as it is." />}
          <SubmitButton busy={action.busy} busyLabel="Issuing…">
            {pending ? 'Issue anyway' : 'Issue grant'}
          </SubmitButton>
        </form>
      )}
    </div>
  );
}

export function PartnerGrantDetail() {
  const { id = '' } = useParams();
  const role = useRole();
  const res = useResource(() => partnerGrantsApi.get(id), [id]);
  const [notice, setNotice] = useState<string | null>(null);
  const g = res.data;
  const windows = useModelWindows(g && !role.isPartner ? g.model_id : null);
  const model = useResource(g && role.isDeveloper ? () => modelsApi.get(g.model_id) : null, [g?.model_id, role.isDeveloper]);
  // Every action answers the grant as it now is.
  const act = async (msg: string, p: Promise<PartnerGrant>) => {
    res.setData(await p);
    setNotice(msg);
  };

  return (
    <>
      <BackLink to="/partner-grants">{role.isPartner ? 'Early-access grants' : 'Partner grants'}</BackLink>
      <Loaded resource={res}>
        {() => {
          const grant = g!;
          const isPartnerOrg = role.isPartner && grant.partner_org_id === role.orgId;
          const viewer = grant.viewer ?? { rostered: false, acknowledged: false };
          const open = grant.status !== 'revoked' && grant.status !== 'expired';
          const m = model.data;
          const windowList = role.isPartner ? windowsOf([], [grant]) : windowsOf(windows.gov, withCurrent<PartnerGrantSummary>(windows.partner, grant));
          return (
            <>
              <PageTitle title={`Early access: ${modelLabel(grant.model_name, grant.model_version)}`}>
                Early access: {modelLabel(grant.model_name, grant.model_version)} <StatusTag status={shownStatus(grant.status, [{ declined_at: grant.partner_declined_at }])} />
              </PageTitle>
              {notice && <SuccessAlert>{notice}</SuccessAlert>}
              {role.isDeveloper && <VoluntaryNotice />}
              {grant.partner_declined_at && (
                <DeclinedNotice
                  who={grant.partner_name}
                  at={grant.partner_declined_at}
                  by={grant.partner_declined_by_name}
                  reason={grant.partner_decline_reason}
                  isGrantee={isPartnerOrg}
                  isDeveloper={role.isDeveloper}
                />
              )}
              <p className="fap-window-line">
                {grant.status === 'active' && <Countdown end={grant.ends_at} />}
                {grant.status === 'scheduled' && <Countdown end={grant.starts_at} prefix="Opens in: " />}
                {grant.status === 'awaiting_terms' &&
                  (grant.partner_declined_at
                    ? 'The partner declined this grant, so access will not start.'
                    : isPartnerOrg
                      ? 'Access starts once an administrator of your organization accepts the terms.'
                      : 'Waiting for the partner to accept the terms.')}
              </p>
              <Facts
                items={[
                  ['Developer', grant.developer_org_name],
                  ['Partner', grant.partner_name],
                  ['Access starts', <DateTime value={grant.starts_at} />],
                  ['Access ends', <DateTime value={grant.ends_at} />],
                  ...(grant.revoked_at ? ([['Revoked', <DateTime value={grant.revoked_at} />]] as [string, ReactNode][]) : []),
                  ['Time remaining', <TimeRemaining status={shownStatus(grant.status, [{ declined_at: grant.partner_declined_at }])} startsAt={grant.starts_at} endsAt={grant.ends_at} />],
                  grant.partner_declined_at
                    ? ['Partner declined', <DateTime value={grant.partner_declined_at} />]
                    : ['Partner accepted terms', grant.partner_accepted_at ? <DateTime value={grant.partner_accepted_at} /> : 'Not yet'],
                ]}
              />
              {role.isDeveloper && open && grant.warnings.length > 0 && (
                <WindowWarnings warnings={grant.warnings} heading="About this window" next="These are for you to weigh; they never stop the grant. Change the end date below if you want to." />
              )}
              {role.isDeveloper && open && <PartnerGrantControls grant={grant} isAdmin={role.isAdmin} act={act} />}
              {(isPartnerOrg || role.isDeveloper) && (
                <Section title="Terms">
                  <TermsPanel termsId={grant.terms_version_id} terms={grant.terms} open={isPartnerOrg && ((!grant.partner_accepted_at && !grant.partner_declined_at) || (viewer.rostered && !viewer.acknowledged))} />
                  {open && isPartnerOrg && role.isAdmin && !grant.partner_accepted_at && !grant.partner_declined_at && (
                    <>
                      <AcceptTerms onBehalfOf={grant.partner_name} termsLabel={grant.terms?.label ?? 'these terms'} onAccept={() => act('Terms accepted for your organization.', partnerGrantsApi.acceptTerms(id))} />
                      <DeclineGrant onBehalfOf={grant.partner_name} developer={grant.developer_org_name} onDecline={(reason) => act('You declined this grant. The developer is told.', partnerGrantsApi.decline(id, reason))} />
                    </>
                  )}
                  {open && viewer.rostered && !viewer.acknowledged && (
                    <AcknowledgeTerms termsLabel={grant.terms?.label ?? 'these terms'} onAcknowledge={() => act('Terms acknowledged. The access instructions are now shown.', partnerGrantsApi.acknowledge(id))} />
                  )}
                </Section>
              )}
              {(isPartnerOrg || role.isDeveloper) && (
                <Instructions text={grant.access_instructions ?? null} isDeveloper={role.isDeveloper} rostered={viewer.rostered} acknowledged={viewer.acknowledged} />
              )}
              <Section title="Access window">
                {role.isPartner || windows.loaded ? (
                  <Timeline
                    caption={`Access windows for ${modelLabel(grant.model_name, grant.model_version)}`}
                    currentId={grant.id}
                    windows={windowList}
                    plannedRelease={m ? (m.planned_partner_release_at ?? null) : undefined}
                    releasedAt={m?.released_at}
                    governmentDaysGranted={m?.government_days_granted}
                    showCap={!role.isPartner}
                    lanes={role.isPartner ? ['partner'] : undefined}
                  />
                ) : (
                  <Loading />
                )}
              </Section>
              {(isPartnerOrg || role.isDeveloper) && (
                <Roster roster={partnerGrantsApi.roster(id)} canAdd={isPartnerOrg && role.isAdmin && open && !grant.partner_declined_at} canRemove={role.isDeveloper || (isPartnerOrg && role.isAdmin)} onChange={() => void res.reload()} />
              )}
              {(isPartnerOrg || role.isDeveloper) && (
                <GrantMessages thread={partnerGrantsApi.messages(id)} grantId={grant.id} writeTo={role.isDeveloper ? grant.partner_name : grant.developer_org_name} between={`${grant.developer_org_name} and ${grant.partner_name}`} />
              )}
              {!role.isPartner && (
                <AuditTrail
                  targetId={grant.id}
                  knownNames={{ [grant.partner_org_id]: grant.partner_name, ...(grant.developer_org_id ? { [grant.developer_org_id]: grant.developer_org_name } : {}) }}
                />
              )}
            </>
          );
        }}
      </Loaded>
    </>
  );
}

/** The developer's controls: change the end date (earlier at any time; later for admins) and revoke. */
function PartnerGrantControls({ grant, isAdmin, act }: { grant: PartnerGrant; isAdmin: boolean; act: (m: string, p: Promise<PartnerGrant>) => Promise<void> }) {
  const [ends, setEnds] = useState(toLocalInput(grant.ends_at));
  const [confirm, setConfirm] = useState<{ key: string; warnings: WindowWarning[] } | null>(null);
  const pending = confirm && confirm.key === ends ? confirm.warnings : null;
  const change = useAction(async () => {
    const iso = fromLocalInput(ends) ?? '';
    // Moving the end earlier is the developer's off switch (DESIGN §2.7): it never waits on a
    // confirmation. Moving it later is asked about when the new window draws a warning.
    const later = iso !== '' && new Date(iso).getTime() > new Date(grant.ends_at).getTime();
    if (later && !pending) {
      const w = await partnerGrantsApi.windowWarnings({ nomination_id: grant.nomination_id, starts_at: grant.starts_at, ends_at: iso, grant_id: grant.id }).catch(() => null);
      if (w && w.warnings.length > 0) {
        setConfirm({ key: ends, warnings: w.warnings });
        return;
      }
    }
    await act('End date changed. The partner sees the new end date.', partnerGrantsApi.changeEnd(grant.id, iso));
    setConfirm(null);
  });
  return (
    <Section title="Your controls">
      <div className="fap-panels">
        <div className="fap-panel">
          <h3>Change end date</h3>
          <p>
            Move the end earlier at any time; it needs no one’s approval.
            {isAdmin ? ' You can also move it later.' : ' Moving it later needs an administrator of your organization.'} To stop access now, revoke the grant.
          </p>
          <ProblemAlert error={change.error} />
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void change.run();
            }}
          >
            <DateTimeField name="ends_at" label="Access ends" required value={ends} onChange={(e) => setEnds(e.target.value)} error={change.fieldErrors.ends_at} />
            {pending && <WindowWarnings warnings={pending} focus level="h4" heading="Check the new end date" next="Choose another date, or change it as it is." />}
            <SubmitButton busy={change.busy}>{pending ? 'Change anyway' : 'Change end date'}</SubmitButton>
          </form>
        </div>
        <div className="fap-panel">
          <h3>Revoke access now</h3>
          <p>Revoking is immediate and needs no one’s approval. The partner is notified.</p>
          <ConfirmAction label="Revoke access now" heading="Revoke this early-access grant?" onConfirm={() => act('Early access revoked.', partnerGrantsApi.revoke(grant.id))}>
            <p>{grant.partner_name} loses access to {modelLabel(grant.model_name, grant.model_version)} at once and is notified. No approval is needed.</p>
          </ConfirmAction>
        </div>
      </div>
    </Section>
  );
}

/** Advice on a partner window in plain words (never a refusal: participation is voluntary). */
function WindowWarnings({ warnings, heading, next, focus = false, level = 'h2' }: { warnings: WindowWarning[]; heading: string; next: string; focus?: boolean; level?: 'h2' | 'h3' | 'h4' }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus, warnings]);
  return (
    <div ref={ref} tabIndex={-1} className="fap-focus-target fap-window-warnings">
      <Alert type="warning" className="margin-y-2">
        <AlertHeading level={level}>{heading}</AlertHeading>
        <ul className="usa-list margin-top-1">
          {warnings.map((w) => (
            <li key={w.code}>{w.message}</li>
          ))}
        </ul>
        <p className="margin-bottom-0">{next}</p>
      </Alert>
    </div>
  );
}
