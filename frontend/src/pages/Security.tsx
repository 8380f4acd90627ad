// Second factors (DESIGN §7): set up an authenticator app (QR code + the secret as text), add,
// list and remove passkeys, the ten recovery codes shown once with the first factor, removal
// (with step-up), and the hold of users who must enrol.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import QRCode from 'qrcode';
import * as authApi from '../api/auth';
import { useAuth } from '../auth/AuthContext';
import { ConfirmAction } from '../components/ConfirmAction';
import { CopyButton } from '../components/CopyButton';
import { SubmitButton, TextField } from '../components/fields';
import { InfoAlert, Loading, PageTitle, ProblemAlert, Section, SuccessAlert } from '../components/ui';
import { formatDateTime } from '../lib/dates';
import { useAction } from '../lib/hooks';
import { createPasskey, passkeysSupported } from '../lib/webauthn';

function RecoveryCodes({ codes, factor, onDone }: { codes: string[]; factor: 'totp' | 'passkey'; onDone: () => void }) {
  const text = codes.join('\n') + '\n';
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'frontier-portal-recovery-codes.txt';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Section title="Save your recovery codes">
      {factor === 'totp' ? (
        <SuccessAlert heading="Your authenticator app is set up">From now on you sign in with your password and a code from the app.</SuccessAlert>
      ) : (
        <SuccessAlert heading="Your passkey is added">From now on you sign in with your password and your passkey.</SuccessAlert>
      )}
      <p>
        Each of these ten codes signs you in once if you lose your {factor === 'totp' ? 'phone' : 'passkey'}. <strong>They are shown only now.</strong> Keep them somewhere safe, apart from your{' '}
        {factor === 'totp' ? 'phone' : 'device'}.
      </p>
      <ol className="fap-recovery-codes" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <ul className="usa-button-group margin-top-2">
        <li className="usa-button-group__item">
          <CopyButton text={text} label="Copy the codes" />
        </li>
        <li className="usa-button-group__item">
          <button type="button" className="usa-button usa-button--outline" onClick={download}>
            Download as a text file
          </button>
        </li>
        <li className="usa-button-group__item">
          <button type="button" className="usa-button" onClick={onDone}>
            I have saved them — continue
          </button>
        </li>
      </ul>
    </Section>
  );
}

function Enrol({ onEnrolled }: { onEnrolled: (codes: string[]) => void }) {
  const [pending, setPending] = useState<{ secret: string; otpauth_uri: string } | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const start = useAction(async () => setPending(await authApi.startTotp()));
  const confirm = useAction(async () => onEnrolled((await authApi.confirmTotp(code.replace(/\s+/g, ''))).recovery_codes));
  useEffect(() => {
    if (!pending) return;
    let live = true;
    // Inline SVG markup (the library's own paths), not a data: URL, which the CSP's img-src
    // ('self') would block.
    void QRCode.toString(pending.otpauth_uri, { type: 'svg', margin: 1, width: 220, errorCorrectionLevel: 'M' }).then((svg) => live && setQr(svg));
    return () => {
      live = false;
    };
  }, [pending]);

  if (!pending)
    return (
      <Section title="Set up an authenticator app">
        <p>Use any app that makes 6-digit sign-in codes (TOTP), for example on your phone. You will scan a QR code and enter one code to confirm.</p>
        <ProblemAlert error={start.error} />
        <button type="button" className="usa-button" onClick={() => void start.run()} disabled={start.busy}>
          {start.busy ? 'Preparing…' : 'Start setup'}
        </button>
      </Section>
    );
  const grouped = pending.secret.match(/.{1,4}/g)?.join(' ') ?? pending.secret;
  return (
    <Section title="Set up an authenticator app">
      <ol className="usa-process-list">
        <li className="usa-process-list__item">
          <h3 className="usa-process-list__heading">Scan this QR code with the app</h3>
          {qr ? (
            <div className="fap-qr" role="img" aria-label="QR code for your authenticator app (the key is also shown as text below)" dangerouslySetInnerHTML={{ __html: qr }} />
          ) : (
            <Loading label="Drawing the QR code…" />
          )}
          <p className="margin-bottom-05">Cannot scan it? Enter this key in the app instead (time-based, 6 digits):</p>
          <p className="display-flex flex-align-center flex-wrap">
            <code className="fap-secret margin-right-1" aria-label="Setup key">
              {grouped}
            </code>
            <CopyButton text={pending.secret} label="Copy the key" />
          </p>
        </li>
        <li className="usa-process-list__item">
          <h3 className="usa-process-list__heading">Enter the code the app shows</h3>
          <ProblemAlert error={confirm.error} />
          <form
            className="usa-form"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              void confirm.run();
            }}
            noValidate
          >
            <TextField
              name="code"
              label="Authentication code"
              hint="6 digits"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={7}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              required
              error={confirm.fieldErrors.code}
            />
            <SubmitButton busy={confirm.busy} busyLabel="Checking…">
              Confirm and finish
            </SubmitButton>
          </form>
        </li>
      </ol>
    </Section>
  );
}

function Passkeys({ passkeys, canRemoveLast, onAdded, onChanged }: {
  passkeys: authApi.Passkey[];
  canRemoveLast: boolean;
  onAdded: (codes: string[] | undefined, name: string) => void;
  onChanged: (message: string) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const add = useAction(async () => {
    const options = await authApi.startPasskeyRegistration();
    const credential = await createPasskey(options);
    const done = await authApi.finishPasskeyRegistration(credential, name.trim());
    setName('');
    onAdded(done.recovery_codes, done.passkey.name);
  });
  const supported = passkeysSupported();
  return (
    <Section title="Passkeys">
      <p>A passkey signs you in with your device’s screen lock or a security key, instead of typing a code.</p>
      {passkeys.length > 0 && (
        <ul className="usa-list usa-list--unstyled fap-passkeys" aria-label="Your passkeys">
          {passkeys.map((p) => (
            <li key={p.id} className="border-bottom border-base-lighter padding-y-1">
              <strong>{p.name}</strong>
              <span className="display-block text-base">
                Added {formatDateTime(p.created_at)} · {p.last_used_at ? `last used ${formatDateTime(p.last_used_at)}` : 'not used yet'}
              </span>
              {(passkeys.length > 1 || canRemoveLast) && (
                <ConfirmAction
                  label={`Remove ${p.name}`}
                  heading={`Remove the passkey “${p.name}”?`}
                  onConfirm={async () => {
                    await authApi.removePasskey(p.id);
                    await onChanged(`The passkey “${p.name}” was removed.`);
                  }}
                >
                  <p>It will no longer sign you in.</p>
                </ConfirmAction>
              )}
            </li>
          ))}
        </ul>
      )}
      {!supported ? (
        <p className="text-base">This browser cannot use passkeys.</p>
      ) : (
        <form
          className="usa-form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void add.run();
          }}
          noValidate
        >
          <ProblemAlert error={add.error} heading={add.error ? 'The passkey was not added' : undefined} />
          <TextField
            name="passkey_name"
            label="Name for the new passkey"
            hint="So you can tell your passkeys apart, for example “Work laptop”."
            maxLength={64}
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={add.fieldErrors.name}
          />
          <SubmitButton busy={add.busy} busyLabel="Waiting for your passkey…">
            Add a passkey
          </SubmitButton>
        </form>
      )}
    </Section>
  );
}

export function SecurityPage() {
  const { mfa, held, refresh } = useAuth();
  const navigate = useNavigate();
  const [codes, setCodes] = useState<{ codes: string[]; factor: 'totp' | 'passkey' } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  if (!mfa) return <Loading />;
  const factors = (mfa.totp ? 1 : 0) + mfa.passkeys.length;
  // A user whose organization requires a factor keeps at least one.
  const canRemoveLast = !mfa.required || factors > 1;
  return (
    <>
      <PageTitle lead="A second factor keeps your account safe even if your password leaks.">Sign-in security</PageTitle>
      {held && !codes && (
        <InfoAlert heading="Set up a second factor to continue">
          Your organization requires every member to sign in with a second factor. Until you set one up (an authenticator app or a passkey), this is the only page you
          can use.
        </InfoAlert>
      )}
      {notice && <SuccessAlert>{notice}</SuccessAlert>}
      {codes ? (
        <RecoveryCodes
          codes={codes.codes}
          factor={codes.factor}
          onDone={() => {
            setCodes(null);
            void refresh().then(() => navigate('/', { replace: true }));
          }}
        />
      ) : (
        <>
          {mfa.totp ? (
            <Section title="Authenticator app">
              <p>
                <strong>Set up.</strong> You can sign in with your password and a code from the app. Recovery codes left: {mfa.recovery_codes_left} of 10.
              </p>
              {canRemoveLast && (
                <ConfirmAction
                  label="Remove the authenticator app"
                  heading="Remove the authenticator app?"
                  onConfirm={async () => {
                    await authApi.removeTotp();
                    setNotice(mfa.passkeys.length ? 'The authenticator app was removed.' : 'The authenticator app was removed, with its recovery codes.');
                    await refresh();
                  }}
                >
                  <p>
                    {mfa.passkeys.length
                      ? 'You will then sign in with your password and a passkey.'
                      : 'You will then sign in with your password only, and your recovery codes stop working.'}
                  </p>
                </ConfirmAction>
              )}
              {!canRemoveLast && <p className="text-base">Your organization requires a second factor, so your only one cannot be removed here.</p>}
            </Section>
          ) : (
            <Enrol
              onEnrolled={(c) => {
                setNotice(null);
                setCodes({ codes: c, factor: 'totp' });
              }}
            />
          )}
          <Passkeys
            passkeys={mfa.passkeys}
            canRemoveLast={canRemoveLast}
            onAdded={(c, name) => {
              if (c) setCodes({ codes: c, factor: 'passkey' });
              else setNotice(`The passkey “${name}” was added.`);
              void refresh();
            }}
            onChanged={async (m) => {
              setNotice(m);
              await refresh();
            }}
          />
          {!mfa.totp && mfa.passkeys.length > 0 && <p className="text-base">Recovery codes left: {mfa.recovery_codes_left} of 10.</p>}
        </>
      )}
      {!held && (
        <Section title="Where you are signed in">
          <p>
            See every browser signed in to your account and your API tokens, and end any of them, on{' '}
            <Link to="/sessions">Sessions</Link>.
          </p>
        </Section>
      )}
    </>
  );
}
