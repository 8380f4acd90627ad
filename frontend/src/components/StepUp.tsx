import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Modal, ModalFooter, ModalHeading, type ModalRef } from '@trussworks/react-uswds';
import * as authApi from '../api/auth';
import { setStepUpHandler } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { useAction } from '../lib/hooks';
import { getPasskey } from '../lib/webauthn';
import { TextField } from './fields';
import { ProblemAlert } from './ui';

/**
 * The step-up dialog (DESIGN §7): when an action answers 401 `step_up_required`, the API client
 * asks here for a passkey (`/auth/step-up/webauthn/start|finish`), a code from the authenticator
 * app or a recovery code (`POST /auth/step-up`), and then repeats the action once. Cancelling gives the action's own
 * 401 back to the page, which shows it.
 */
export function StepUpDialog() {
  const ref = useRef<ModalRef>(null);
  const id = `step-up-${useId().replace(/:/g, '')}`;
  const pending = useRef<((ok: boolean) => void) | null>(null);
  const { mfa } = useAuth();
  const hasPasskey = !!mfa && mfa.passkeys.length > 0;
  const hasTotp = !mfa || mfa.totp;
  const [recovery, setRecovery] = useState(false);
  // The fields exist only while the dialog is open, so no hidden second "Authentication code"
  // field sits in every page.
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const action = useAction(async () => {
    const v = value.trim();
    await authApi.stepUp(recovery ? { recovery_code: v } : { code: v.replace(/\s+/g, '') });
    return true;
  });
  const passkey = useAction(async () => {
    const options = await authApi.startPasskeyStepUp();
    await authApi.finishPasskeyStepUp(await getPasskey(options));
    return true;
  });

  const finish = (ok: boolean) => {
    ref.current?.toggleModal(undefined, false);
    setOpen(false);
    const resolve = pending.current;
    pending.current = null;
    resolve?.(ok);
  };

  useEffect(() => {
    setStepUpHandler(
      () =>
        new Promise<boolean>((resolve) => {
          pending.current?.(false);
          pending.current = resolve;
          setValue('');
          setRecovery(false);
          action.clear();
          passkey.clear();
          setOpen(true);
          ref.current?.toggleModal(undefined, true);
        }),
    );
    return () => setStepUpHandler(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run()) finish(true);
  };

  return (
    <Modal ref={ref} id={id} aria-labelledby={`${id}-heading`} aria-describedby={`${id}-desc`} forceAction>
      <ModalHeading id={`${id}-heading`}>Confirm it is you</ModalHeading>
      <p id={`${id}-desc`}>
        This action needs a second-factor check from the last 15 minutes.{' '}
        {hasPasskey ? 'Use your passkey, or enter ' : 'Enter '}
        {recovery || !hasTotp ? 'one of your recovery codes' : 'the code your authenticator app shows now'}; the action then continues.
      </p>
      <ProblemAlert error={passkey.error} heading={passkey.error ? 'The passkey did not work' : undefined} />
      <ProblemAlert error={action.error} heading={action.error?.status === 401 ? 'That code did not work' : undefined} />
      {open && hasPasskey && (
        <button
          type="button"
          className="usa-button usa-button--big margin-bottom-2"
          disabled={passkey.busy}
          onClick={async () => {
            if (await passkey.run()) finish(true);
          }}
        >
          {passkey.busy ? 'Waiting for your passkey…' : 'Use a passkey'}
        </button>
      )}
      {open && hasPasskey && <p className="margin-top-0 margin-bottom-0 text-bold">Or enter a code</p>}
      <form className="usa-form" onSubmit={submit} noValidate>
        {!open ? null : recovery || !hasTotp ? (
          <TextField
            key="r"
            name="step_up_recovery_code"
            label="Recovery code"
            autoComplete="off"
            spellCheck={false}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            required
            data-focus
          />
        ) : (
          <TextField
            key="c"
            name="step_up_code"
            label="Authentication code"
            hint="6 digits"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={7}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            required
            data-focus
          />
        )}
        {hasTotp && (
          <button type="button" className="usa-button usa-button--unstyled margin-top-2" onClick={() => { setRecovery(!recovery); setValue(''); }}>
            {recovery ? 'Use the authenticator app instead' : 'Use a recovery code instead'}
          </button>
        )}
        <ModalFooter>
          <ul className="usa-button-group">
            <li className="usa-button-group__item">
              <button type="submit" className="usa-button" disabled={action.busy}>
                {action.busy ? 'Checking…' : 'Confirm and continue'}
              </button>
            </li>
            <li className="usa-button-group__item">
              <button type="button" className="usa-button usa-button--unstyled padding-105 text-center" onClick={() => finish(false)}>
                Cancel
              </button>
            </li>
          </ul>
        </ModalFooter>
      </form>
    </Modal>
  );
}
