import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { fetchAll } from '../api/client';
import * as designationsApi from '../api/designations';
import * as modelsApi from '../api/models';
import * as nominationsApi from '../api/nominations';
import * as organizationsApi from '../api/organizations';
import type { NewNomination, Nomination, Organization, PartnerType, Sector } from '../api/types';
import { useRole } from '../auth/AuthContext';
import { AuditTrail } from '../components/AuditTrail';
import { ConfirmAction } from '../components/ConfirmAction';
import { RadioGroup, ModelSelect, SelectField, SubmitButton, TextAreaField, TextField } from '../components/fields';
import { useFlash } from '../components/Flash';
import {
  BackLink,
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
} from '../components/ui';
import { useAction, usePaged, useResource } from '../lib/hooks';
import { PARTNER_TYPE_LABELS, SECTOR_OPTIONS, modelLabel, sectorLabel } from '../lib/labels';

export function NominationsList() {
  const role = useRole();
  const list = usePaged((p) => nominationsApi.list({}, p), []);
  return (
    <>
      <PageTitle lead="Developers and the Government select trusted partners together (Sec. 3(b)(iii)). Either side nominates; a partner is selected only when both sides concur.">
        Trusted partners
      </PageTitle>
      {(role.isDeveloper || role.isAgency) && (
        <p>
          <Link to="/nominations/new" className="usa-button">
            Nominate a partner
          </Link>
        </p>
      )}
      <ProblemAlert error={list.error} />
      {list.loading && list.items.length === 0 ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        <Empty>
          <p>No nominations yet.</p>
        </Empty>
      ) : (
        <div className="fap-table-wrap">
          <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
            <caption className="usa-sr-only">Partner nominations</caption>
            <thead>
              <tr>
                <th scope="col">Partner</th>
                <th scope="col">Model</th>
                <th scope="col">Developer</th>
                <th scope="col">Government</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((n) => (
                <tr key={n.id}>
                  <th scope="row" data-label="Partner">
                    <Link className="usa-link" to={`/nominations/${n.id}`}>
                      {n.partner_name}
                    </Link>
                    <br />
                    <span className="fap-muted">{PARTNER_TYPE_LABELS[n.partner_type ?? ''] ?? n.partner_type}</span>
                  </th>
                  <td data-label="Model">
                    {modelLabel(n.model_name, n.model_version)}
                    {!role.isDeveloper && <span className="fap-muted"> · {n.developer_org_name}</span>}
                  </td>
                  <td data-label="Developer">
                    <StatusTag status={n.developer_position} />
                  </td>
                  <td data-label="Government">
                    <StatusTag status={n.government_position} />
                  </td>
                  <td data-label="Status">
                    <StatusTag status={n.status} />
                  </td>
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

/** A model to nominate a partner for (agencies know models only through the requests they review). */
interface ModelChoice {
  id: string;
  name: string;
  version: string;
}

export function NominationNew() {
  const role = useRole();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { setFlash } = useFlash();
  const [models, setModels] = useState<ModelChoice[] | null>(null);
  const [partners, setPartners] = useState<Organization[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  useEffect(() => {
    // Agencies nominate for models they can see through requests; developers for their own.
    const modelsP: Promise<ModelChoice[]> = role.isDeveloper
      ? fetchAll((p) => modelsApi.list({}, p))
      : fetchAll((p) => designationsApi.list({}, p)).then((rs) => {
          const seen = new Map<string, ModelChoice>();
          for (const r of rs) if (!seen.has(r.model_id)) seen.set(r.model_id, { id: r.model_id, name: r.model_name, version: r.model_version });
          return [...seen.values()];
        });
    Promise.all([modelsP, fetchAll((p) => organizationsApi.directory({ kind: 'partner' }, p))])
      .then(([m, p]) => {
        setModels(m);
        setPartners(p);
      })
      .catch(setLoadError);
  }, [role.isDeveloper]);

  const [v, setV] = useState({
    model_id: params.get('model_id') ?? '',
    which: 'existing',
    partner_org_id: '',
    name: '',
    partner_type: '',
    sector: '',
    contact_email: '',
    rationale: '',
  });
  const action = useAction(async () => {
    const body: NewNomination =
      v.which === 'existing'
        ? { model_id: v.model_id, partner_org_id: v.partner_org_id, rationale: v.rationale.trim() }
        : {
            model_id: v.model_id,
            new_partner: { name: v.name.trim(), partner_type: v.partner_type as PartnerType, sector: (v.sector || null) as Sector | null, contact_email: v.contact_email.trim() },
            rationale: v.rationale.trim(),
          };
    const n = await nominationsApi.create(body);
    setFlash('Nomination recorded. The other side is notified and can concur or decline.');
    navigate(`/nominations/${n.id}`);
  });
  const fe = action.fieldErrors;
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });

  return (
    <div className="fap-narrow">
      <BackLink to="/nominations">Trusted partners</BackLink>
      <PageTitle lead="Propose an organization for early access to a model. Your side’s position is recorded as “concur”; the other side decides.">
        Nominate a partner
      </PageTitle>
      {role.isDeveloper && <VoluntaryNotice />}
      {loadError ? <ProblemAlert error={loadError as never} /> : null}
      <ProblemAlert error={action.error} />
      {!models || !partners ? (
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
          <ModelSelect models={models} value={v.model_id} onChange={(model_id) => setV({ ...v, model_id })} error={fe.model_id} />
          <RadioGroup
            name="which"
            legend="Partner"
            value={v.which}
            onChange={(w) => setV({ ...v, which: w })}
            options={[
              { value: 'existing', label: 'An organization already in the portal' },
              { value: 'new', label: 'A new organization', description: 'If selected, it is created and its contact is invited by email.' },
            ]}
          />
          {v.which === 'existing' ? (
            partners.length === 0 ? (
              <InfoAlert slim>No partner organizations are registered yet. Choose “A new organization”.</InfoAlert>
            ) : (
              <SelectField
                name="partner_org_id"
                label="Partner organization"
                required
                value={v.partner_org_id}
                onChange={set('partner_org_id')}
                placeholder="- Select a partner -"
                options={partners.map((p) => ({ value: p.id, label: `${p.name} — ${PARTNER_TYPE_LABELS[p.partner_type ?? ''] ?? p.partner_type ?? ''}${p.sector ? `, ${sectorLabel(p.sector)}` : ''}` }))}
                error={fe.partner_org_id}
              />
            )
          ) : (
            <>
              <TextField name="new_partner.name" label="Organization name" required value={v.name} onChange={set('name')} error={fe['new_partner.name']} />
              <SelectField name="new_partner.partner_type" label="Type of partner" required value={v.partner_type} onChange={set('partner_type')} placeholder="- Select a type -" options={Object.entries(PARTNER_TYPE_LABELS).map(([value, label]) => ({ value, label }))} error={fe['new_partner.partner_type']} />
              <SelectField name="new_partner.sector" label="Critical-infrastructure sector" value={v.sector} onChange={set('sector')} placeholder="- None -" options={SECTOR_OPTIONS} error={fe['new_partner.sector']} />
              <TextField name="new_partner.contact_email" label="Contact email" type="email" required value={v.contact_email} onChange={set('contact_email')} error={fe['new_partner.contact_email']} hint="Invited as the partner’s first administrator if the partner is selected." />
            </>
          )}
          <TextAreaField name="rationale" label="Rationale" required value={v.rationale} onChange={set('rationale')} error={fe.rationale} hint="Why this partner should get early access. Both sides see it." />
          <SubmitButton busy={action.busy}>Nominate</SubmitButton>
        </form>
      )}
    </div>
  );
}

export function NominationDetail() {
  const { id = '' } = useParams();
  const role = useRole();
  const res = useResource(() => nominationsApi.get(id), [id]);
  const [notice, setNotice] = useState<string | null>(null);
  // Every action answers the nomination as it now is.
  const act = async (msg: string, p: Promise<Nomination>) => {
    res.setData(await p);
    setNotice(msg);
  };
  const concur = useAction(() => act('You concur with this nomination.', nominationsApi.concur(id)));
  const decline = useAction(() => act('You declined this nomination.', nominationsApi.decline(id)));

  return (
    <>
      <BackLink to="/nominations">Trusted partners</BackLink>
      <Loaded resource={res}>
        {(n) => {
          const mySide = role.isDeveloper ? n.developer_position : role.isAgency ? n.government_position : null;
          const canDecide = n.status === 'pending' && mySide === 'pending' && (role.isDeveloper || (role.isAgency && role.isAdmin));
          return (
            <>
              <PageTitle title={`Partner nomination: ${n.partner_name}`}>
                Partner nomination: {n.partner_name} <StatusTag status={n.status} />
              </PageTitle>
              {notice && <SuccessAlert>{notice}</SuccessAlert>}
              {role.isDeveloper && <VoluntaryNotice />}
              <Facts
                items={[
                  ['Model', role.isDeveloper ? <Link className="usa-link" to={`/models/${n.model_id}`}>{modelLabel(n.model_name, n.model_version)}</Link> : modelLabel(n.model_name, n.model_version)],
                  ['Developer', n.developer_org_name],
                  ['Partner type', PARTNER_TYPE_LABELS[n.partner_type ?? ''] ?? n.partner_type],
                  ['Sector', sectorLabel(n.sector) || '—'],
                  ['Nominated by', n.nominated_by === 'developer' ? 'the developer' : 'the Government'],
                  ['Developer position', <StatusTag status={n.developer_position} />],
                  ['Government position', <StatusTag status={n.government_position} />],
                  ['Nominated', <DateTime value={n.created_at} />],
                ]}
              />
              <Section title="Rationale">
                <Prose text={n.rationale} />
              </Section>
              <ProblemAlert error={concur.error ?? decline.error} />
              <div className="fap-actions">
                {canDecide && (
                  <>
                    <ConfirmAction
                      label="Concur"
                      heading={role.isAgency ? 'Concur for the Government?' : 'Concur with this nomination?'}
                      danger={false}
                      busy={concur.busy}
                      onConfirm={() => concur.run()}
                    >
                      <ConcurConsequences n={n} government={role.isAgency} />
                    </ConfirmAction>
                    <ConfirmAction label="Decline" outline heading="Decline this nomination?" onConfirm={() => decline.run()}>
                      <p>The partner will not be selected through this nomination. A new nomination can be made later.</p>
                    </ConfirmAction>
                  </>
                )}
                {role.isDeveloper && n.status === 'selected' && role.isAdmin && (
                  <Link className="usa-button" to={`/partner-grants/new?nomination_id=${n.id}`}>
                    Issue an early-access grant
                  </Link>
                )}
                {role.isDeveloper && n.status !== 'rescinded' && (
                  <ConfirmAction label="Rescind nomination" heading="Rescind this nomination?" onConfirm={() => act('Nomination rescinded.', nominationsApi.rescind(id))}>
                    <p>
                      This takes effect at once.
                      {n.status === 'selected' ? ' The partner is selected, so any early-access grant it holds for this model is revoked immediately.' : ''}
                    </p>
                  </ConfirmAction>
                )}
              </div>
              {!canDecide && n.status === 'pending' && mySide === 'pending' && role.isAgency && (
                <InfoAlert slim>An administrator of your agency can concur or decline for the Government.</InfoAlert>
              )}
              <AuditTrail targetId={n.id} />
            </>
          );
        }}
      </Loaded>
    </>
  );
}

/** What a concurrence sets in motion: when the other side already concurs, the partner is selected now. */
function ConcurConsequences({ n, government }: { n: Nomination; government: boolean }) {
  const selectsNow = (government ? n.developer_position : n.government_position) === 'concur';
  const isNew = !n.partner_org_id;
  if (!selectsNow) {
    return <p>Your side’s position is recorded as “concur”. {n.partner_name} is selected only when {government ? 'the developer' : 'the Government'} concurs too.</p>;
  }
  return (
    <>
      <p>
        {government ? 'The developer' : 'The Government'} already concurs, so <strong>{n.partner_name} is selected</strong> as a trusted partner for {modelLabel(n.model_name, n.model_version)} as soon as you confirm.
      </p>
      {isNew ? (
        <p>
          {n.partner_name} is not yet an organization in the portal: confirming <strong>creates the partner organization</strong> and emails an invitation to its contact
          {n.contact_email ? (
            <>
              {' '}
              (<strong>{n.contact_email}</strong>)
            </>
          ) : null}
          .
        </p>
      ) : (
        <p>{n.partner_name} is notified by email.</p>
      )}
      <p>The developer may then issue it an early-access grant, and may rescind the nomination at any time.</p>
    </>
  );
}
