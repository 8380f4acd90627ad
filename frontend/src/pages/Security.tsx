// Second factors (DESIGN §7): set up an authenticator app (QR code + the secret as text), the
// ten recovery codes shown once, removal (with step-up), and the hold of users who must enrol.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import QRCode from 'qrcode';
import * as authApi from '../api/auth';
import { useAuth } from '../auth/AuthContext';
import { ConfirmAction } from '../components/ConfirmAction';
import { CopyButton } from '../components/CopyButton';
import { SubmitButton, TextField } from '../components/fields';
import { InfoAlert, Loading, PageTitle, ProblemAlert, Section, SuccessAlert } from '../components/ui';
import { useAction } from '../lib/hooks';

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
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
      <SuccessAlert heading="Your authenticator app is set up">
        From now on you sign in with your password and a code from the app.
      </SuccessAlert>
      <p>
        Each of these ten codes signs you in once if you lose your phone. <strong>They are shown only now.</strong> Keep them somewhere safe, apart from your phone.
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

export function SecurityPage() {
  const { mfa, held, refresh } = useAuth();
  const navigate = useNavigate();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [removed, setRemoved] = useState(false);

  if (!mfa) return <Loading />;
  return (
    <>
      <PageTitle lead="A second factor keeps your account safe even if your password leaks.">Sign-in security</PageTitle>
      {held && !codes && (
        <InfoAlert heading="Set up a second factor to continue">
          Your organization requires every member to sign in with a second factor. Until you set one up, this is the only page you can use.
        </InfoAlert>
      )}
      {removed && <SuccessAlert>The authenticator app was removed, with its recovery codes.</SuccessAlert>}
      {codes ? (
        <RecoveryCodes
          codes={codes}
          onDone={() => {
            setCodes(null);
            void refresh().then(() => navigate('/', { replace: true }));
          }}
        />
      ) : mfa.enrolled ? (
        <Section title="Authenticator app">
          <p>
            <strong>Set up.</strong> You sign in with your password and a code from the app. Recovery codes left: {mfa.recovery_codes_left} of 10.
          </p>
          {!mfa.required && (
            <ConfirmAction
              label="Remove the authenticator app"
              heading="Remove the authenticator app?"
              onConfirm={async () => {
                await authApi.removeTotp();
                setRemoved(true);
                await refresh();
              }}
            >
              <p>You will then sign in with your password only, and your recovery codes stop working.</p>
            </ConfirmAction>
          )}
          {mfa.required && <p className="text-base">Your organization requires a second factor, so it cannot be removed here.</p>}
        </Section>
      ) : (
        <Enrol
          onEnrolled={(c) => {
            setRemoved(false);
            setCodes(c);
          }}
        />
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
