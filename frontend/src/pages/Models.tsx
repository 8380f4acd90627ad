import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import * as designationsApi from '../api/designations';
import * as modelsApi from '../api/models';
import * as nominationsApi from '../api/nominations';
import type { AccessGrantSummary, NewModel, PartnerGrantSummary } from '../api/types';
import { useRole } from '../auth/AuthContext';
import { AuditTrail } from '../components/AuditTrail';
import { ConfirmAction } from '../components/ConfirmAction';
import { DateTimeField, SubmitButton, TextAreaField, TextField } from '../components/fields';
import { useFlash } from '../components/Flash';
import { Timeline } from '../components/Timeline';
import {
  BackLink,
  DateTime,
  Empty,
  Facts,
  LoadMore,
  Loaded,
  Loading,
  PageTitle,
  ProblemAlert,
  Prose,
  Section,
  StatusTag,
  VoluntaryNotice,
} from '../components/ui';
import { fromLocalInput, toLocalInput } from '../lib/dates';
import { useAction, usePaged, useResource } from '../lib/hooks';
import { modelLabel } from '../lib/labels';
import { fmt, useModelWindows, windowsOf } from '../lib/modelWindows';

export function ModelsList() {
  const role = useRole();
  const list = usePaged((p) => modelsApi.list({}, p), []);
  return (
    <>
      <PageTitle lead="Models your organization has registered. Registering a model lets you file a designation request, offer Government access and nominate trusted partners — all optional.">
        Models
      </PageTitle>
      {role.isDeveloper && (
        <p>
          <Link to="/models/new" className="usa-button">
            Register a model
          </Link>
        </p>
      )}
      <ProblemAlert error={list.error} />
      {list.loading && list.items.length === 0 ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        <Empty>
          <p>No models yet.</p>
          {role.isDeveloper && <p>Register a model to start. Nothing is shared with the Government until you file a request or offer access.</p>}
        </Empty>
      ) : (
        <div className="fap-table-wrap">
          <table className="usa-table usa-table--borderless fap-table usa-table--stacked">
            <caption className="usa-sr-only">Registered models</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Status</th>
                <th scope="col">Government days used</th>
                <th scope="col">Planned partner release</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((m) => (
                <tr key={m.id}>
                  <th scope="row" data-label="Model">
                    <Link to={`/models/${m.id}`} className="usa-link">
                      {m.name} {m.version}
                    </Link>
                  </th>
                  <td data-label="Status">
                    <StatusTag status={m.status} />
                  </td>
                  <td data-label="Government days used">
                    {fmt(m.government_days_granted)} of 30 ({fmt(m.government_days_remaining)} left)
                  </td>
                  <td data-label="Planned partner release">
                    <DateTime value={m.planned_partner_release_at} dateOnly />
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

interface ModelFormValues {
  name: string;
  version: string;
  description: string;
  modality: string;
  planned: string;
}

function ModelForm({
  initial,
  submitLabel,
  onSubmit,
}: {
  initial: ModelFormValues;
  submitLabel: string;
  onSubmit: (v: ModelFormValues) => Promise<void>;
}) {
  const [v, setV] = useState(initial);
  const action = useAction(onSubmit);
  const fe = action.fieldErrors;
  const set = (k: keyof ModelFormValues) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  return (
    <>
      <ProblemAlert error={action.error} />
      <form
        className="usa-form usa-form--large"
        noValidate
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void action.run(v);
        }}
      >
        <TextField name="name" label="Model name" value={v.name} onChange={set('name')} required error={fe.name} />
        <TextField name="version" label="Version" value={v.version} onChange={set('version')} required error={fe.version} hint="For example 2.1 or 2026-06-preview. A new version can have its own designation request." />
        <TextField name="modality" label="Modality" value={v.modality} onChange={set('modality')} error={fe.modality} hint="For example: text, code, multimodal (text and images)." list="modality-options" />
        <datalist id="modality-options">
          <option value="text" />
          <option value="code" />
          <option value="multimodal" />
          <option value="image" />
          <option value="audio" />
          <option value="video" />
        </datalist>
        <TextAreaField name="description" label="Description" value={v.description} onChange={set('description')} error={fe.description} hint="What the model is and does, in plain words. Do not include classified or export-controlled information." />
        <DateTimeField
          name="planned_partner_release_at"
          label="Planned release to other trusted partners"
          value={v.planned}
          onChange={set('planned')}
          error={fe.planned_partner_release_at}
          hint="If set, Government access windows must end by this time. You can change it later."
        />
        <SubmitButton busy={action.busy}>{submitLabel}</SubmitButton>
      </form>
    </>
  );
}

function modelBody(v: ModelFormValues): NewModel {
  return {
    name: v.name.trim(),
    version: v.version.trim(),
    description: v.description.trim() || null,
    modality: v.modality.trim() || null,
    planned_partner_release_at: fromLocalInput(v.planned),
  };
}

export function ModelNew() {
  const navigate = useNavigate();
  const { setFlash } = useFlash();
  return (
    <div className="fap-narrow">
      <BackLink to="/models">Models</BackLink>
      <PageTitle>Register a model</PageTitle>
      <VoluntaryNotice />
      <ModelForm
        initial={{ name: '', version: '', description: '', modality: '', planned: '' }}
        submitLabel="Register model"
        onSubmit={async (v) => {
          const m = await modelsApi.create(modelBody(v));
          setFlash(`Model “${m.name} ${m.version}” registered.`);
          navigate(`/models/${m.id}`);
        }}
      />
    </div>
  );
}

export function ModelEdit() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { setFlash } = useFlash();
  const res = useResource(() => modelsApi.get(id), [id]);
  return (
    <div className="fap-narrow">
      <BackLink to={`/models/${id}`}>Back to the model</BackLink>
      <PageTitle>Edit model</PageTitle>
      <Loaded resource={res}>
        {(m) => {
          return (
            <ModelForm
              initial={{
                name: m.name,
                version: m.version,
                description: m.description ?? '',
                modality: m.modality ?? '',
                planned: toLocalInput(m.planned_partner_release_at),
              }}
              submitLabel="Save changes"
              onSubmit={async (v) => {
                await modelsApi.update(id, modelBody(v));
                setFlash('Model updated.');
                navigate(`/models/${id}`);
              }}
            />
          );
        }}
      </Loaded>
    </div>
  );
}

export function ModelDetail() {
  const { id = '' } = useParams();
  const role = useRole();
  const res = useResource(() => modelsApi.get(id), [id]);
  const windows = useModelWindows(id);
  const requests = usePaged(role.isDeveloper ? (p) => designationsApi.list({ model_id: id }, p) : null, [id, role.isDeveloper]);
  const noms = usePaged(role.isDeveloper || role.isAgency ? (p) => nominationsApi.list({ model_id: id }, p) : null, [id, role.isDeveloper || role.isAgency]);

  const release = useAction(async () => res.setData(await modelsApi.release(id)));

  return (
    <>
      <BackLink to="/models">Models</BackLink>
      <Loaded resource={res}>
        {(m) => {
          const myRequests = requests.items;
          const myNoms = noms.items;
          return (
            <>
              <PageTitle title={`${m.name} ${m.version}`}>
                {m.name} <span className="text-base-dark">{m.version}</span> <StatusTag status={m.status} />
              </PageTitle>
              {role.isDeveloper && <VoluntaryNotice />}
              <ProblemAlert error={release.error} />
              {role.isDeveloper && (
                <div className="fap-actions">
                  <Link className="usa-button" to={`/designation-requests/new?model_id=${m.id}`}>
                    File a designation request
                  </Link>
                  {role.isAdmin && (
                    <Link className="usa-button usa-button--outline" to={`/access-grants/new?model_id=${m.id}`}>
                      Offer Government access
                    </Link>
                  )}
                  <Link className="usa-button usa-button--outline" to={`/nominations/new?model_id=${m.id}`}>
                    Nominate a partner
                  </Link>
                  <Link className="usa-button usa-button--outline" to={`/models/${m.id}/edit`}>
                    Edit details
                  </Link>
                  {m.status !== 'released' && (
                    <ConfirmAction
                      label="Mark as released"
                      heading={`Mark ${m.name} ${m.version} as released?`}
                      onConfirm={() => release.run()}
                      danger={false}
                      outline
                    >
                      <p>This records that the model has been released. It does not need anyone’s approval and does not end any access window.</p>
                    </ConfirmAction>
                  )}
                </div>
              )}
              <Facts
                items={[
                  ['Modality', m.modality || '—'],
                  ['Planned release to partners', <DateTime value={m.planned_partner_release_at} />],
                  ['Released', <DateTime value={m.released_at} />],
                  ['Government days used', `${fmt(m.government_days_granted)} of 30 (${fmt(m.government_days_remaining)} remaining)`],
                  ['Registered', <DateTime value={m.created_at} />],
                ]}
              />
              <Section title="Description">
                <Prose text={m.description} />
              </Section>
              <Section title="Access windows">
                {windows.loaded ? (
                  <>
                    <Timeline
                      caption={`Access windows for ${modelLabel(m.name, m.version)}`}
                      windows={windowsOf(windows.gov, windows.partner)}
                      plannedRelease={m.planned_partner_release_at ?? null}
                      releasedAt={m.released_at}
                      governmentDaysGranted={m.government_days_granted}
                    />
                    <GrantLinks gov={windows.gov} partner={windows.partner} />
                  </>
                ) : (
                  <Loading label="Loading access windows…" />
                )}
              </Section>
              {role.isDeveloper && (
                <Section title="Designation requests">
                  {myRequests.length === 0 ? (
                    <p>No designation request for this model.</p>
                  ) : (
                    <ul className="usa-list">
                      {myRequests.map((r) => (
                        <li key={r.id}>
                          <Link className="usa-link" to={`/designation-requests/${r.id}`}>
                            Request filed <DateTime value={r.created_at} dateOnly />
                          </Link>{' '}
                          <StatusTag status={r.status} />
                          {r.determination && <> <StatusTag status={r.determination.outcome} /></>}
                        </li>
                      ))}
                    </ul>
                  )}
                </Section>
              )}
              {(role.isDeveloper || role.isAgency) && (
                <Section title="Partner nominations">
                  {myNoms.length === 0 ? (
                    <p>No partner nominated for this model.</p>
                  ) : (
                    <ul className="usa-list">
                      {myNoms.map((n) => (
                        <li key={n.id}>
                          <Link className="usa-link" to={`/nominations/${n.id}`}>
                            {n.partner_name}
                          </Link>{' '}
                          <StatusTag status={n.status} />
                        </li>
                      ))}
                    </ul>
                  )}
                </Section>
              )}
              <AuditTrail targetId={m.id} />
            </>
          );
        }}
      </Loaded>
    </>
  );
}

function GrantLinks({ gov, partner }: { gov: AccessGrantSummary[]; partner: PartnerGrantSummary[] }) {
  if (gov.length + partner.length === 0) return null;
  return (
    <ul className="usa-list">
      {gov.map((g) => (
        <li key={g.id}>
          <Link className="usa-link" to={`/access-grants/${g.id}`}>
            Government access for {g.grantees.map((x) => x.name).join(', ')}
          </Link>{' '}
          <StatusTag status={g.status} />
        </li>
      ))}
      {partner.map((p) => (
        <li key={p.id}>
          <Link className="usa-link" to={`/partner-grants/${p.id}`}>
            Early access for {p.partner_name}
          </Link>{' '}
          <StatusTag status={p.status} />
        </li>
      ))}
    </ul>
  );
}
