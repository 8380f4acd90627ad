// Pieces shared by Government access grants and partner early-access grants:
// terms agreement, personal acknowledgment, instructions, roster.

import { useRef, useState } from 'react';
import * as organizationsApi from '../api/organizations';
import type { RosterApi } from '../api/roster';
import * as termsApi from '../api/terms';
import type { Terms } from '../api/types';
import { TermsText } from './TermsText';
import { useAction, useResource } from '../lib/hooks';
import { ConfirmAction, ConfirmDialog, type ConfirmDialogRef } from './ConfirmAction';
import { Checkbox, SelectField, SubmitButton, TextAreaField } from './fields';
import { DateTime, Empty, InfoAlert, Loading, ProblemAlert, Section, SuccessAlert } from './ui';

/** The longest reason a grantee may give (the server's limit). */
export const DECLINE_REASON_MAX = 2000;

/**
 * A grantee admin declines a grant offered to its organization: a "Decline" button and a
 * confirmation dialog with an optional reason. The dialog focuses Cancel, the safe choice.
 */
export function DeclineGrant({ onBehalfOf, developer, onDecline }: { onBehalfOf: string; developer: string; onDecline: (reason: string) => Promise<unknown> }) {
  const ref = useRef<ConfirmDialogRef>(null);
  const [reason, setReason] = useState('');
  const tooLong = reason.length > DECLINE_REASON_MAX;
  return (
    <div className="fap-panel margin-top-3">
      <h3>Not taking this up?</h3>
      <p>
        Declining is {onBehalfOf}’s own choice. {developer} is told by email and sees your reason. Once declined, your organization can no
        longer accept these terms; the developer can offer access again.
      </p>
      <button type="button" className="usa-button usa-button--outline fap-button--danger-outline" onClick={() => ref.current?.open()} aria-haspopup="dialog" aria-controls="decline-grant">
        Decline
      </button>
      <ConfirmDialog
        ref={ref}
        id="decline-grant"
        heading={`Decline this grant for ${onBehalfOf}?`}
        confirmLabel="Decline grant"
        onConfirm={() => onDecline(reason)}
      >
        <p>{developer} is told that {onBehalfOf} declined. This cannot be undone: your organization will not be able to accept these terms afterwards.</p>
        <TextAreaField
          name="decline_reason"
          label="Reason"
          hint={`Plain text, shown to ${developer}. At most ${DECLINE_REASON_MAX} characters.`}
          rows={4}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          error={tooLong ? `Shorten the reason to at most ${DECLINE_REASON_MAX} characters (now ${reason.length}).` : undefined}
        />
      </ConfirmDialog>
    </div>
  );
}

/** How a grantee's decline reads on the grant page, for both sides. */
export function DeclinedNotice({ who, at, by, reason, isGrantee, isDeveloper }: { who: string; at: string; by?: string | null; reason?: string | null; isGrantee: boolean; isDeveloper: boolean }) {
  return (
    <div className="usa-alert usa-alert--warning margin-y-2" role="status">
      <div className="usa-alert__body">
        <h2 className="usa-alert__heading">{isGrantee ? 'Your organization declined this grant' : `${who} declined this grant`}</h2>
        <p className="usa-alert__text">
          Declined <DateTime value={at} />
          {by ? ` by ${by}` : ''}.
        </p>
        {reason ? (
          <blockquote className="fap-quote fap-prose">
            <span className="usa-sr-only">Reason given: </span>
            {reason}
          </blockquote>
        ) : (
          <p className="usa-alert__text">No reason was given.</p>
        )}
        {isDeveloper && <p className="usa-alert__text">Nothing changes for you: you can end the grant, change it or offer access again whenever you choose.</p>}
      </div>
    </div>
  );
}

/** Terms text, fetched by version id unless given. Collapsible when `collapsed`. */
export function TermsPanel({ termsId, terms: given, open = false }: { termsId: string; terms?: Terms | null; open?: boolean }) {
  const res = useResource(given ? null : () => termsApi.get(termsId), [termsId]);
  const t = given ?? res.data;
  return (
    <details className="fap-details" open={open}>
      <summary>Read the terms{t ? `: ${t.label}` : ''}</summary>
      {t ? <TermsText terms={t} headingLevel={3} /> : res.error ? <ProblemAlert error={res.error} heading="The terms could not be loaded" /> : <Loading />}
    </details>
  );
}

/** "I accept on behalf of …" checkbox + button. */
export function AcceptTerms({
  onBehalfOf,
  termsLabel,
  onAccept,
}: {
  onBehalfOf: string;
  termsLabel: string;
  onAccept: () => Promise<unknown>;
}) {
  const [checked, setChecked] = useState(false);
  const [err, setErr] = useState<string | undefined>();
  const action = useAction(onAccept);
  return (
    <div className="fap-callout">
      <h3>Accept the terms for {onBehalfOf}</h3>
      <p>
        Accepting records your name, the time, and the terms version “{termsLabel}” with its SHA-256 fingerprint.
      </p>
      <ProblemAlert error={action.error} />
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!checked) {
            setErr('Confirm that you have read the terms and may accept them.');
            return;
          }
          setErr(undefined);
          void action.run();
        }}
      >
        <Checkbox
          name="accept-terms"
          label={`I have read “${termsLabel}” and accept it on behalf of ${onBehalfOf}${onBehalfOf.endsWith('.') ? '' : '.'}`}
          checked={checked}
          onChange={setChecked}
          error={err}
        />
        <SubmitButton busy={action.busy} busyLabel="Recording…">
          Accept terms
        </SubmitButton>
      </form>
    </div>
  );
}

/** A rostered person's own acknowledgment of the terms. */
export function AcknowledgeTerms({ termsLabel, onAcknowledge }: { termsLabel: string; onAcknowledge: () => Promise<unknown> }) {
  const [checked, setChecked] = useState(false);
  const [err, setErr] = useState<string | undefined>();
  const action = useAction(onAcknowledge);
  return (
    <div className="fap-callout">
      <h3>Acknowledge the terms personally</h3>
      <p>You are on the roster for this grant. Read the terms, then acknowledge them to see the access instructions.</p>
      <ProblemAlert error={action.error} />
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!checked) {
            setErr('Confirm that you have read and will follow the terms.');
            return;
          }
          setErr(undefined);
          void action.run();
        }}
      >
        <Checkbox name="acknowledge-terms" label={`I have read “${termsLabel}” and will follow it personally.`} checked={checked} onChange={setChecked} error={err} />
        <SubmitButton busy={action.busy} busyLabel="Recording…">
          Acknowledge terms
        </SubmitButton>
      </form>
    </div>
  );
}

export function Instructions({
  text,
  isDeveloper,
  rostered,
  acknowledged,
}: {
  text: string | null;
  isDeveloper: boolean;
  rostered: boolean;
  acknowledged: boolean;
}) {
  return (
    <Section title="Access instructions">
      {text != null ? (
        <>
          <div className="fap-instructions fap-prose">{text}</div>
          <p className="fap-muted">
            {isDeveloper
              ? 'Shown to rostered people after they acknowledge the terms.'
              : 'Sensitive: do not copy these instructions outside the terms of this grant.'}
          </p>
        </>
      ) : (
        <p>
          {rostered && !acknowledged
            ? 'The instructions appear here once you acknowledge the terms.'
            : rostered
              ? 'The instructions are not available yet.'
              : 'Only people on the roster who have acknowledged the terms can see the access instructions.'}
        </p>
      )}
    </Section>
  );
}

/**
 * The named people of the grantee. `canAdd`: grantee admins (choose from their own org).
 * `canRemove`: each row gets a Remove button with a confirmation (developer, or grantee admin).
 */
export function Roster({
  roster,
  canAdd,
  canRemove,
  onChange,
}: {
  roster: RosterApi;
  canAdd: boolean;
  canRemove: boolean;
  onChange?: () => void;
}) {
  const res = useResource(() => roster.list(), [roster.key]);
  const org = useResource(canAdd ? organizationsApi.mine : null, [canAdd]);
  const entries = res.data?.items ?? [];
  const [userId, setUserId] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [pickError, setPickError] = useState<string | undefined>();
  const add = useAction(async () => {
    setNotice(null);
    const added = await roster.add(userId);
    const who = added.name;
    setNotice(`${who} is on the roster. They acknowledge the terms personally before seeing the access instructions.`);
    setUserId('');
    await res.reload();
    onChange?.();
  });
  const rostered = new Set(entries.map((e) => e.user_id));
  const candidates = (org.data?.users ?? []).filter((u) => !u.disabled && !rostered.has(u.id));

  return (
    <Section title="Roster">
      <p>Each named person acknowledges the terms personally before seeing the access instructions.</p>
      {notice && <SuccessAlert>{notice}</SuccessAlert>}
      {res.error ? (
        <ProblemAlert error={res.error} heading="The roster could not be loaded" />
      ) : res.loading && !res.data ? (
        <Loading />
      ) : entries.length === 0 ? (
        <Empty>
          <p>No one is on the roster yet.</p>
        </Empty>
      ) : (
        <div className="fap-table-wrap">
          <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
            <caption className="usa-sr-only">People on the roster</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Organization</th>
                <th scope="col">Added</th>
                <th scope="col">Acknowledged terms</th>
                {canRemove && (
                  <th scope="col">
                    <span className="usa-sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.user_id}>
                  <th scope="row" data-label="Name">
                    {e.name}
                    <br />
                    <span className="fap-muted">
                      {/* Allow a line break after the @ only, so an address never splits mid-word. */}
                      {e.email.split('@')[0]}@<wbr />
                      {e.email.split('@').slice(1).join('@')}
                    </span>
                  </th>
                  <td data-label="Organization">{e.organization_name}</td>
                  <td data-label="Added">
                    <DateTime value={e.added_at} />
                  </td>
                  <td data-label="Acknowledged terms">{e.acknowledged_at ? <DateTime value={e.acknowledged_at} /> : 'Not yet'}</td>
                  {canRemove && (
                    <td data-label="Actions">
                      <ConfirmAction
                        label="Remove"
                        srSuffix={` ${e.name} from the roster`}
                        outline
                        heading={`Remove ${e.name} from the roster?`}
                        confirmLabel="Remove from roster"
                        onConfirm={async () => {
                          await roster.remove(e.user_id);
                          setNotice(`${e.name} was removed from the roster.`);
                          await res.reload();
                          onChange?.();
                        }}
                      >
                        <p>{e.name} loses access to the instructions at once. They can be added again later.</p>
                      </ConfirmAction>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canAdd && (
        <div className="margin-top-2">
          <ProblemAlert error={add.error ?? org.error} />
          {candidates.length === 0 && org.data ? (
            <InfoAlert slim>Everyone in your organization is already on the roster. Invite colleagues from “My organization”.</InfoAlert>
          ) : (
            <form
              className="usa-form"
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                if (!userId) {
                  setPickError('Choose the person to add to the roster.');
                  document.getElementById('field-roster_user_id')?.focus();
                  return;
                }
                void add.run();
              }}
            >
              <SelectField
                name="roster_user_id"
                label="Add a person from your organization"
                required
                value={userId}
                onChange={(e) => {
                  setUserId(e.target.value);
                  setPickError(undefined);
                }}
                placeholder="- Select a person -"
                options={candidates.map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }))}
                error={pickError ?? add.fieldErrors.user_id}
              />
              <SubmitButton busy={add.busy} busyLabel="Adding…">
                Add to roster
              </SubmitButton>
            </form>
          )}
        </div>
      )}
    </Section>
  );
}
