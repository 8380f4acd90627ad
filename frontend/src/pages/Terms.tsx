import { useRef, useState } from 'react';
import { useDraft } from '../lib/drafts';
import { Link, useNavigate, useParams } from 'react-router';
import * as termsApi from '../api/terms';
import { TERMS_SECTIONS, type NewTerms, type TermsAcceptance } from '../api/types';
import { useRole } from '../auth/AuthContext';
import { SelectField, SubmitButton, TextAreaField, TextField } from '../components/fields';
import { useFlash } from '../components/Flash';
import { BackLink, DateTime, DraftNotice, Empty, Facts, LoadMore, Loaded, Loading, PageTitle, ProblemAlert, Section } from '../components/ui';
import { shortId } from '../components/AuditTrail';
import { formatUtc, userTimeZone } from '../lib/dates';
import type { ApiError } from '../api/client';
import { useAction, usePaged, useResource } from '../lib/hooks';
import { TERMS_SECTION_LABELS } from '../lib/labels';
import { TermsText } from '../components/TermsText';
import { ConfirmDialog, type ConfirmDialogRef } from '../components/ConfirmAction';

export function TermsList() {
  const role = useRole();
  const list = usePaged(termsApi.list, []);
  const canPublish = (role.isDeveloper && role.isAdmin) || role.isOperator;
  return (
    <>
      <PageTitle lead="A terms version sets the confidentiality, cybersecurity, insider-risk, intellectual-property, use and nondisclosure requirements of an access grant. Published versions never change; each carries a SHA-256 fingerprint of its content.">
        {role.isOperator ? 'Terms templates' : 'Terms'}
      </PageTitle>
      {canPublish && (
        <p>
          <Link to="/terms/new" className="usa-button">
            {role.isOperator ? 'Publish a template' : 'Publish a terms version'}
          </Link>
        </p>
      )}
      <ProblemAlert error={list.error} />
      {list.loading && list.items.length === 0 ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        <Empty>
          <p>No terms published yet.</p>
        </Empty>
      ) : (
        <div className="fap-table-wrap">
          <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
            <caption className="usa-sr-only">Published terms versions</caption>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Kind</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Published</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((t) => (
                <tr key={t.id}>
                  <th scope="row" data-label="Label">
                    <Link className="usa-link" to={`/terms/${t.id}`}>
                      {t.label}
                    </Link>
                  </th>
                  <td data-label="Kind">{t.is_template ? 'Portal template' : 'Your organization'}</td>
                  <td data-label="SHA-256">
                    <code title={t.sha256}>{t.sha256.slice(0, 12)}…</code>
                  </td>
                  <td data-label="Published">
                    <DateTime value={t.created_at} dateOnly />
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

export function TermsNew() {
  const navigate = useNavigate();
  const { setFlash } = useFlash();
  const [v, setV, draft] = useDraft<Record<string, string>>('terms', 'new', { label: '', ...Object.fromEntries(TERMS_SECTIONS.map((s) => [s, ''])) });
  const action = useAction(async () => {
    const body = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x.trim()])) as NewTerms;
    const t = await termsApi.create(body);
    draft.clear();
    setFlash('Terms published. This version can no longer be changed.');
    navigate(`/terms/${t.id}`);
  });
  const fe = action.fieldErrors;
  const confirm = useRef<ConfirmDialogRef>(null);
  const role = useRole();
  const preview = { label: v.label.trim(), ...Object.fromEntries(TERMS_SECTIONS.map((s) => [s, v[s].trim()])) } as NewTerms;
  return (
    <div className="fap-narrow">
      <BackLink to="/terms">Terms</BackLink>
      <PageTitle lead="All six sections are required. Once published, this version cannot be edited: publish a new version to change anything.">
        Publish terms
      </PageTitle>
      <ProblemAlert error={action.error} />
      <DraftNotice draft={draft} />
      {!role.isOperator && <StartFromTemplate current={v} onUse={(next) => setV(next)} />}
      <form
        className="usa-form usa-form--large"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          confirm.current?.open();
        }}
      >
        <TextField name="label" label="Label" required value={v.label} onChange={(e) => setV({ ...v, label: e.target.value })} error={fe.label} hint="For example “Standard evaluation terms v2”." />
        {TERMS_SECTIONS.map((s) => (
          <TextAreaField key={s} name={s} label={TERMS_SECTION_LABELS[s]} required rows={5} value={v[s]} onChange={(e) => setV({ ...v, [s]: e.target.value })} error={fe[s]} />
        ))}
        <SubmitButton busy={action.busy} busyLabel="Publishing…">
          Publish terms
        </SubmitButton>
      </form>
      <ConfirmDialog ref={confirm} large heading="Publish these terms?" confirmLabel="Publish terms" danger={false} closeFirst onConfirm={() => void action.run()}>
        <p>
          <strong>Published terms are immutable.</strong> Once published this version can never be edited or deleted; to change anything, publish a new version. Read
          the six sections as they will be published:
        </p>
        <div className="fap-terms fap-terms-preview">
          <h3 className="fap-terms__label">{preview.label || 'No label yet'}</h3>
          {TERMS_SECTIONS.map((s) => (
            <div key={s} className="fap-terms__section">
              <h4>{TERMS_SECTION_LABELS[s]}</h4>
              <div className="fap-prose">{preview[s] || <em>Empty: this section is required.</em>}</div>
            </div>
          ))}
        </div>
      </ConfirmDialog>
    </div>
  );
}

/**
 * "Start from a template": fills the label and all six sections from a published portal
 * template, which the developer then edits before publishing its own version. What was already
 * typed is replaced only after a confirmation that says so.
 */
function StartFromTemplate({ current, onUse }: { current: Record<string, string>; onUse: (v: Record<string, string>) => void }) {
  const templates = usePaged(termsApi.list, [], 200);
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [used, setUsed] = useState<string | null>(null);
  const replace = useRef<ConfirmDialogRef>(null);
  const options = templates.items.filter((t) => t.is_template).map((t) => ({ value: t.id, label: t.label }));
  const load = useAction(async () => {
    const t = await termsApi.get(chosen);
    onUse({ label: t.label, ...Object.fromEntries(TERMS_SECTIONS.map((s) => [s, t[s]])) });
    setUsed(t.label);
  });
  const typed = Object.values(current).some((x) => x.trim() !== '');
  const start = () => {
    if (!chosen) {
      setError('Choose a template to start from.');
      return;
    }
    setError(undefined);
    if (typed) replace.current?.open();
    else void load.run();
  };
  if (!templates.loading && options.length === 0) return null;
  return (
    <section className="fap-template-start margin-bottom-4" aria-labelledby="template-start-heading">
      <h2 id="template-start-heading" className="font-heading-md margin-bottom-0">
        Start from a template
      </h2>
      <p className="margin-top-05">Fill the label and all six sections from a portal template, then edit them before you publish your own version.</p>
      <ProblemAlert error={load.error} />
      <div className="usa-form usa-form--large">
        <SelectField
          name="template"
          label="Template"
          placeholder={templates.loading ? 'Loading templates…' : '- Select a template -'}
          options={options}
          value={chosen}
          error={error}
          onChange={(e) => {
            setChosen(e.target.value);
            setError(undefined);
          }}
        />
        <button type="button" className="usa-button usa-button--outline margin-top-2" onClick={start} disabled={load.busy}>
          {load.busy ? 'Filling in…' : 'Use this template'}
        </button>
      </div>
      {used && (
        <div className="usa-alert usa-alert--info usa-alert--slim margin-top-2" role="status">
          <div className="usa-alert__body">
            <p className="usa-alert__text">
              Filled from “{used}”. Edit the label and the sections below, then publish: the template itself does not change.
            </p>
          </div>
        </div>
      )}
      <ConfirmDialog ref={replace} heading="Replace what you have written?" confirmLabel="Replace with the template" danger closeFirst onConfirm={() => void load.run()}>
        <p>The label and the six sections you have typed will be replaced by the template’s text.</p>
      </ConfirmDialog>
    </section>
  );
}

export function TermsDetail() {
  const { id = '' } = useParams();
  const role = useRole();
  const res = useResource(() => termsApi.get(id), [id]);
  // The acceptance record is the developer's (its own grants); others have no such record.
  const record = useResource(role.isDeveloper ? () => termsApi.allAcceptances(id) : null, [id, role.isDeveloper]);
  return (
    <div className="fap-terms-record">
      <div className="fap-no-print">
        <BackLink to="/terms">Terms</BackLink>
      </div>
      <Loaded resource={res}>
        {(t) => {
          return (
            <>
              <p className="fap-print-only fap-print-heading">
                Record of a terms version, printed <DateTime value={new Date().toISOString()} /> from the Frontier Access Portal
              </p>
              <PageTitle title={t.label}>Terms: {t.label}</PageTitle>
              <p>
                {t.is_template ? 'Portal template' : 'Published by your organization'} on <DateTime value={t.created_at} />. This version is immutable.
              </p>
              {role.isDeveloper && (
                <p className="fap-no-print">
                  <button type="button" className="usa-button usa-button--outline" onClick={() => window.print()}>
                    Print record
                  </button>
                  <span className="usa-hint display-block margin-top-05">The printout holds the terms text, this version’s id and SHA-256, and every acceptance on your grants.</span>
                </p>
              )}
              <Facts
                items={[
                  ['Version', <code key="v">{t.id}</code>],
                  ['SHA-256', <code key="h" className="fap-break">{t.sha256}</code>],
                  ['Published', <DateTime key="p" value={t.created_at} />],
                ]}
              />
              {role.isDeveloper && (
                <Section title="Who accepted it, and when">
                  <AcceptanceRecord record={record} sha256={t.sha256} />
                </Section>
              )}
              <Section title="Content">
                <TermsText terms={t} headingLevel={3} />
              </Section>
            </>
          );
        }}
      </Loaded>
    </div>
  );
}

const SCOPE_LABEL: Record<TermsAcceptance['scope'], string> = {
  organization: 'For the organization',
  individual: 'Personal acknowledgment',
};

function AcceptanceRecord({ record, sha256 }: { record: { data: TermsAcceptance[] | null; error: ApiError | null; loading: boolean }; sha256: string }) {
  if (record.error) return <ProblemAlert error={record.error} />;
  if (!record.data) return <Loading label="Loading the acceptances…" />;
  const rows = record.data;
  if (rows.length === 0)
    return (
      <Empty>
        <p>Nobody has accepted this version on your grants yet.</p>
      </Empty>
    );
  const tz = userTimeZone();
  return (
    <>
      <p>
        {rows.length} acceptance{rows.length === 1 ? '' : 's'} on your grants, oldest first. Times are in {tz}, with UTC below.
        {rows.every((a) => a.terms_sha256 === sha256) ? ' Each accepted exactly this content (the same SHA-256).' : ''}
      </p>
      <div className="fap-table-wrap">
        <table className="usa-table usa-table--borderless usa-table--stacked fap-table fap-record-table">
          <caption className="usa-sr-only">Acceptances of this terms version</caption>
          <thead>
            <tr>
              <th scope="col">Accepted</th>
              <th scope="col">Organization</th>
              <th scope="col">Person</th>
              <th scope="col">As</th>
              <th scope="col">Grant</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id}>
                <th scope="row" data-label="Accepted">
                  <DateTime value={a.accepted_at} />
                  <span className="display-block font-body-3xs text-base">{formatUtc(a.accepted_at)}</span>
                </th>
                <td data-label="Organization">{a.organization_name}</td>
                <td data-label="Person">{a.user_name || 'A former member'}</td>
                <td data-label="As">{SCOPE_LABEL[a.scope]}</td>
                <td data-label="Grant">
                  <Link className="usa-link" to={a.grant_type === 'access' ? `/access-grants/${a.grant_id}` : `/partner-grants/${a.grant_id}`}>
                    {a.grant_type === 'access' ? 'Government window' : 'Partner grant'} {shortId(a.grant_id)}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
