import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert, AlertHeading, AlertText } from '@trussworks/react-uswds';
import { Link, Navigate, useNavigate, useParams, useSearchParams } from 'react-router';
import * as authApi from '../api/auth';
import { ApiError } from '../api/client';
import { safeNext, useAuth } from '../auth/AuthContext';
import { Checkbox, SubmitButton, TextField } from '../components/fields';
import { SystemUseNotice } from '../components/SystemUseNotice';
import { InfoAlert, Loading, PageTitle, ProblemAlert, SuccessAlert } from '../components/ui';
import { useAction, useResource } from '../lib/hooks';
import { getPasskey } from '../lib/webauthn';

const PASSWORD_HINT =
  'Between 15 and 128 characters. A passphrase of several unrelated words works well. It must not contain your email address or organization name.';

function PasswordField({
  name,
  label,
  value,
  onChange,
  error,
  autoComplete,
  hint,
}: {
  name: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  autoComplete: string;
  hint?: string;
}) {
  const [show, setShow] = useState(false);
  return (
    <>
      <TextField
        name={name}
        label={label}
        type={show ? 'text' : 'password'}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoComplete={autoComplete}
        required
        error={error}
        hint={hint}
        spellCheck={false}
        autoCapitalize="off"
      />
      <p className="margin-top-05 margin-bottom-0">
        <button
          type="button"
          className="usa-button usa-button--unstyled fap-show-password"
          aria-pressed={show}
          aria-controls={`field-${name}`}
          onClick={() => setShow((s) => !s)}
        >
          {show ? 'Hide password' : 'Show password'}
        </button>
      </p>
    </>
  );
}

/** The second step of sign-in: a passkey, a code from the authenticator app, or a recovery code. */
function SecondFactorStep({ methods, onDone, onRestart }: { methods: string[]; onDone: () => Promise<void>; onRestart: () => void }) {
  const hasTotp = methods.includes('totp');
  const hasPasskey = methods.includes('webauthn');
  const [recovery, setRecovery] = useState(!hasTotp);
  const [value, setValue] = useState('');
  const action = useAction(async () => {
    const v = value.trim();
    await authApi.loginSecondFactor(recovery ? { recovery_code: v } : { code: v.replace(/\s+/g, '') });
    await onDone();
  });
  const passkey = useAction(async () => {
    const options = await authApi.startPasskeySignIn();
    await authApi.finishPasskeySignIn(await getPasskey(options));
    await onDone();
  });
  const error = passkey.error ?? action.error;
  const expired = error instanceof ApiError && ((error.status === 401 && /expired/.test(error.message)) || (error.status === 409 && /expired/.test(error.message)));
  return (
    <div className="fap-narrow">
      <PageTitle>{hasPasskey ? 'Confirm it is you' : 'Enter your code'}</PageTitle>
      <p className="usa-intro">Your account is protected by a second factor.</p>
      <ProblemAlert
        error={error}
        heading={passkey.error ? 'The passkey did not work' : action.error?.status === 401 ? 'That code did not work' : undefined}
      />
      {hasPasskey && (
        <>
          <button type="button" className="usa-button usa-button--big" onClick={() => void passkey.run()} disabled={passkey.busy}>
            {passkey.busy ? 'Waiting for your passkey…' : 'Use a passkey'}
          </button>
          <p className="margin-top-3 margin-bottom-0 text-bold">Or enter a code</p>
        </>
      )}
      <form
        className="usa-form usa-form--large"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void action.run();
        }}
        noValidate
      >
        {recovery ? (
          <TextField
            key="recovery"
            name="recovery_code"
            label="Recovery code"
            hint="One of the ten codes you saved when you set up your second factor, like ABCD-EFGH-IJKL-MNOP. Each works once."
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="characters"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            required
            autoFocus
            error={action.fieldErrors.recovery_code}
          />
        ) : (
          <TextField
            key="code"
            name="code"
            label="Authentication code"
            hint="The 6-digit code your authenticator app shows now."
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]*"
            maxLength={7}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            required
            autoFocus
            error={action.fieldErrors.code}
          />
        )}
        <SubmitButton busy={action.busy} busyLabel="Checking…">
          Verify and sign in
        </SubmitButton>
      </form>
      <ul className="usa-list usa-list--unstyled margin-top-3 fap-links">
        <li>
          {hasTotp && (
            <button
              type="button"
              className="usa-button usa-button--unstyled"
              onClick={() => {
                setRecovery(!recovery);
                setValue('');
              }}
            >
              {recovery ? 'Use a code from the authenticator app instead' : 'Use a recovery code instead'}
            </button>
          )}
        </li>
        <li>
          <button type="button" className="usa-button usa-button--unstyled" onClick={onRestart}>
            {expired ? 'Sign in again' : 'Start over with a different account'}
          </button>
        </li>
      </ul>
    </div>
  );
}

/**
 * Why a single sign-on made no session (`/sign-in?sso_error=<reason>`, the server's
 * `SsoRefusal`), in plain words with the next step to take.
 */
const SSO_ERRORS: Record<string, { heading: string; text: string }> = {
  provider_unavailable: {
    heading: 'The sign-in service could not be reached',
    text: 'Please try again in a few minutes, or sign in with your email address and password.',
  },
  provider_error: {
    heading: 'Single sign-on did not finish',
    text: 'The sign-in service did not complete the sign-in (for example, it was cancelled). You can try again.',
  },
  attempt_invalid: {
    heading: 'Please start the sign-in again',
    text: 'This sign-in took longer than 10 minutes, was already used, or was started in another browser.',
  },
  token_invalid: {
    heading: 'We could not confirm your sign-in',
    text: 'The answer from the sign-in service could not be verified. Please start again; if it happens again, contact the portal’s operators.',
  },
  email_not_verified: {
    heading: 'Your email address is not confirmed',
    text: 'The sign-in service has not confirmed your email address. Confirm it there, then try again.',
  },
  no_account: {
    heading: 'No portal account for this sign-in',
    text: 'No active account or open invitation has the email address your sign-in service gave. Ask your organization’s administrator to invite that address, or sign in with your password.',
  },
  account_disabled: {
    heading: 'This account is disabled',
    text: 'Contact your organization’s administrator or the portal’s operators.',
  },
};

function SsoErrorAlert({ reason }: { reason: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), [reason]);
  const e = SSO_ERRORS[reason] ?? { heading: 'Single sign-on did not work', text: 'Please try again, or sign in with your password.' };
  return (
    <div ref={ref} tabIndex={-1} className="fap-focus-target">
      <Alert type="error" role="alert" className="margin-y-2">
        <AlertHeading level="h2">{e.heading}</AlertHeading>
        <AlertText>{e.text}</AlertText>
      </Alert>
    </div>
  );
}

export function SignInPage() {
  const { me, refresh } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));
  const providers = useResource(authApi.ssoProviders, []);
  const ssoError = params.get('sso_error');
  // After single sign-on, a user with a second factor lands here for the second step (the
  // server set the same pending cookie a password sign-in sets).
  const ssoMethods = params.get('sso') === 'second_factor' ? (params.get('methods') ?? '').split(',').filter(Boolean) : null;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [ack, setAck] = useState(false);
  const [ackError, setAckError] = useState<string | undefined>();
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [codeStep, setCodeStep] = useState<string[] | null>(null);
  const action = useAction(async () => {
    const answer = await authApi.login(email.trim(), password);
    if (answer.mfa_required) {
      setCodeStep(answer.methods);
      return;
    }
    const who = await refresh();
    if (who) navigate(next, { replace: true });
  });

  if (me) return <Navigate to={next} replace />;
  const step = codeStep ?? ssoMethods;
  if (step)
    return (
      <SecondFactorStep
        methods={step}
        onDone={async () => {
          const who = await refresh();
          if (who) navigate(next, { replace: true });
        }}
        onRestart={() => {
          setCodeStep(null);
          setPassword('');
          if (ssoMethods) navigate('/sign-in', { replace: true });
        }}
      />
    );

  const needAck = () => {
    setAckError('Please confirm that you have read the system use notice before signing in.');
    document.getElementById('field-acknowledge')?.focus();
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Every empty field is flagged at once (not only the first), focus on the first of them.
    const missing: Record<string, string> = {};
    if (!email.trim()) missing.email = 'Enter your email address.';
    if (!password) missing.password = 'Enter your password.';
    setLocalErrors(missing);
    if (!ack) {
      needAck();
      return;
    }
    setAckError(undefined);
    const first = Object.keys(missing)[0];
    if (first) {
      document.getElementById(`field-${first}`)?.focus();
      return;
    }
    void action.run();
  };

  const fe = { ...action.fieldErrors, ...localErrors };
  return (
    <div className="fap-narrow">
      <PageTitle>Sign in</PageTitle>
      {params.get('expired') && <InfoAlert slim>Your session ended. Please sign in again to continue.</InfoAlert>}
      <SystemUseNotice />
      {ssoError && !action.error && <SsoErrorAlert reason={ssoError} />}
      <ProblemAlert
        error={action.error}
        heading={action.error?.status === 401 ? 'Sign-in failed' : action.error?.code === 'organization_deactivated' ? 'Your organization is deactivated' : undefined}
      />
      <form className="usa-form usa-form--large" onSubmit={submit} noValidate>
        <Checkbox
          name="acknowledge"
          label="I have read and understand the system use notice."
          checked={ack}
          onChange={(v) => {
            setAck(v);
            if (v) setAckError(undefined);
          }}
          error={ackError}
        />
        <TextField
          name="email"
          label="Email address"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
            if (localErrors.email) setLocalErrors(({ email: _, ...rest }) => rest);
          }}
          required
          error={fe.email}
          spellCheck={false}
          autoCapitalize="off"
        />
        <PasswordField
          name="password"
          label="Password"
          value={password}
          onChange={(v) => {
            setPassword(v);
            if (localErrors.password) setLocalErrors(({ password: _, ...rest }) => rest);
          }}
          autoComplete="current-password"
          error={fe.password}
        />
        <SubmitButton busy={action.busy} busyLabel="Signing in…">
          Sign in
        </SubmitButton>
      </form>
      {providers.data && providers.data.items.length > 0 && (
        <section aria-labelledby="sso-heading" className="margin-top-4 border-top-1px border-base-lighter padding-top-2">
          <h2 id="sso-heading" className="margin-y-1">
            Or use your organization’s sign-in
          </h2>
          <ul className="usa-button-group usa-button-group--stacked fap-sso">
            {providers.data.items.map((p) => (
              <li key={p.name} className="usa-button-group__item">
                <a
                  className="usa-button usa-button--outline usa-button--big"
                  href={authApi.ssoStartUrl(p.name)}
                  onClick={(e) => {
                    // The system use notice is acknowledged before any sign-in, this one too.
                    if (!ack) {
                      e.preventDefault();
                      needAck();
                    }
                  }}
                >
                  Sign in with {p.display_name}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      <ul className="usa-list usa-list--unstyled margin-top-3 fap-links">
        <li>
          <Link to="/reset-password" className="usa-link">
            Forgot your password?
          </Link>
        </li>
        <li>
          AI developer without an account?{' '}
          <Link to="/sign-up" className="usa-link">
            Register your organization
          </Link>
        </li>
        <li className="text-base">Government agencies and trusted partners join by invitation from the portal’s operators.</li>
      </ul>
    </div>
  );
}

export function SignUpPage() {
  const [form, setForm] = useState({ organization_name: '', name: '', email: '', password: '' });
  const [done, setDone] = useState(false);
  const [ack, setAck] = useState(false);
  const [ackError, setAckError] = useState<string | undefined>();
  const action = useAction(async () => {
    await authApi.signup({ ...form, email: form.email.trim() });
    setDone(true);
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  if (done)
    return (
      <div className="fap-narrow">
        <PageTitle>Check your email</PageTitle>
        <SuccessAlert heading="Registration received">
          If the address can be used, we have sent a verification link to <strong>{form.email}</strong>. Open it to
          activate your account, then sign in. The link expires after a while; you can register again if it does.
        </SuccessAlert>
        <Link to="/sign-in" className="usa-button">
          Go to sign in
        </Link>
      </div>
    );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ack) {
      setAckError('Please confirm that you have read the system use notice.');
      return;
    }
    setAckError(undefined);
    void action.run();
  };
  const fe = action.fieldErrors;
  return (
    <div className="fap-narrow">
      <PageTitle lead="For AI developers. Registering creates your organization and makes you its first administrator. Everything you do in the portal is voluntary.">
        Register your organization
      </PageTitle>
      <ProblemAlert error={action.error} />
      <form className="usa-form usa-form--large" onSubmit={submit} noValidate>
        <TextField name="organization_name" label="Organization name" value={form.organization_name} onChange={set('organization_name')} required autoComplete="organization" error={fe.organization_name} />
        <TextField name="name" label="Your full name" value={form.name} onChange={set('name')} required autoComplete="name" error={fe.name} />
        <TextField name="email" label="Work email address" type="email" value={form.email} onChange={set('email')} required autoComplete="email" error={fe.email} spellCheck={false} autoCapitalize="off" />
        <PasswordField name="password" label="Password" value={form.password} onChange={(v) => setForm({ ...form, password: v })} autoComplete="new-password" hint={PASSWORD_HINT} error={fe.password} />
        <Checkbox name="acknowledge" label="I have read the system use notice below." checked={ack} onChange={setAck} error={ackError} />
        <SubmitButton busy={action.busy} busyLabel="Registering…">
          Register
        </SubmitButton>
      </form>
      <SystemUseNotice />
      <p className="margin-top-3">
        Already registered?{' '}
        <Link to="/sign-in" className="usa-link">
          Sign in
        </Link>
      </p>
    </div>
  );
}

export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  // The link proves the address; the password proves you are the person who signed up with it.
  const action = useAction(async () => {
    await authApi.verifyEmail(token, password);
    setDone(true);
  });
  const failed = action.error?.status === 422 && action.error.problem.code === 'invalid_token';

  if (!token) {
    return (
      <div className="fap-narrow">
        <PageTitle>Confirm your email address</PageTitle>
        <ProblemAlert
          error={new ApiError({ status: 400, title: 'This link is incomplete', detail: 'Open the full link from your email, or copy all of it into the address bar.' })}
        />
        <Link to="/sign-in" className="usa-button">
          Sign in
        </Link>
      </div>
    );
  }

  return (
    <div className="fap-narrow">
      <PageTitle lead="Enter the password you chose when you signed up. This shows that you, and not someone else using your address, created this account.">
        Confirm your email address
      </PageTitle>
      {done ? (
        <>
          <SuccessAlert heading="Email address confirmed">Your account is active. You can now sign in.</SuccessAlert>
          <Link to="/sign-in" className="usa-button">
            Sign in
          </Link>
        </>
      ) : (
        <>
          {failed ? (
            <ProblemAlert
              error={new ApiError({ ...action.error!.problem, errors: undefined })}
              heading="We could not confirm your email address"
            />
          ) : (
            <ProblemAlert error={action.error} />
          )}
          {failed && (
            <p>
              Check that you typed the password you chose when you signed up. Links expire after two days and work once; if your account is already
              confirmed, simply sign in. If you did not sign up, ignore the email: the account stays inactive.
            </p>
          )}
          <form
            className="usa-form usa-form--large"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void action.run();
            }}
          >
            <PasswordField
              name="password"
              label="Your password"
              value={password}
              onChange={setPassword}
              autoComplete="current-password"
              error={action.fieldErrors.password}
            />
            <SubmitButton busy={action.busy} busyLabel="Confirming…">
              Confirm my email address
            </SubmitButton>
          </form>
          <p className="margin-top-3">
            <Link to="/sign-in" className="usa-link">
              Back to sign in
            </Link>
          </p>
        </>
      )}
    </div>
  );
}

export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token');
  return token ? <ResetConfirm token={token} /> : <ResetRequest />;
}

function ResetRequest() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const action = useAction(async () => {
    await authApi.requestPasswordReset(email.trim());
    setSent(true);
  });
  return (
    <div className="fap-narrow">
      <PageTitle>Reset your password</PageTitle>
      {sent ? (
        <SuccessAlert heading="Check your email">
          If an account uses <strong>{email}</strong>, we have sent it a link to choose a new password.
        </SuccessAlert>
      ) : (
        <>
          <p>Enter the email address you sign in with. We will send a link to choose a new password.</p>
          <ProblemAlert error={action.error} />
          <form
            className="usa-form usa-form--large"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void action.run();
            }}
          >
            <TextField name="email" label="Email address" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="email" error={action.fieldErrors.email} />
            <SubmitButton busy={action.busy} busyLabel="Sending…">
              Send reset link
            </SubmitButton>
          </form>
        </>
      )}
      <p className="margin-top-3">
        <Link to="/sign-in" className="usa-link">
          Back to sign in
        </Link>
      </p>
    </div>
  );
}

function ResetConfirm({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction(async () => {
    await authApi.confirmPasswordReset(token, password);
    setDone(true);
  });
  return (
    <div className="fap-narrow">
      <PageTitle>Choose a new password</PageTitle>
      {done ? (
        <>
          <SuccessAlert heading="Password changed">Your other sessions have been signed out. Sign in with your new password.</SuccessAlert>
          <Link to="/sign-in" className="usa-button">
            Sign in
          </Link>
        </>
      ) : (
        <>
          <ProblemAlert error={action.error} />
          <form
            className="usa-form usa-form--large"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void action.run();
            }}
          >
            <PasswordField name="new_password" label="New password" value={password} onChange={setPassword} autoComplete="new-password" hint={PASSWORD_HINT} error={action.fieldErrors.new_password ?? action.fieldErrors.password} />
            <SubmitButton busy={action.busy}>Change password</SubmitButton>
          </form>
        </>
      )}
    </div>
  );
}

export function AcceptInvitePage() {
  const { token = '' } = useParams();
  // What the link is for, before anyone types a password: the organization and the address.
  const invitation = useResource(() => authApi.invitation(token), [token]);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [ack, setAck] = useState(false);
  const [ackError, setAckError] = useState<string | undefined>();
  const [activated, setActivated] = useState(false);
  const action = useAction(async () => {
    await authApi.acceptInvitation(token, name, password);
    setActivated(true);
  });
  const inv = invitation.data;
  if (activated)
    return (
      <div className="fap-narrow">
        <PageTitle>Your account is activated</PageTitle>
        <SuccessAlert heading="Your account is activated">
          {inv ? (
            <>
              You are now a member of <strong>{inv.organization_name}</strong>. Sign in as <strong>{inv.email}</strong> with the password you just chose.
            </>
          ) : (
            'Sign in with your email address and the password you just chose.'
          )}
        </SuccessAlert>
        <Link to="/sign-in" className="usa-button">
          Sign in
        </Link>
      </div>
    );
  if (invitation.loading && !inv)
    return (
      <div className="fap-narrow">
        <PageTitle>Accept your invitation</PageTitle>
        <Loading />
      </div>
    );
  if (!inv)
    return (
      <div className="fap-narrow">
        <PageTitle>This invitation is not valid</PageTitle>
        {invitation.error && invitation.error.status !== 404 ? (
          <ProblemAlert error={invitation.error} />
        ) : (
          <InfoAlert>
            The link was already used, has expired (invitations last seven days), or was not copied whole. Ask the person who invited you to send a new invitation. If
            you already activated your account, sign in.
          </InfoAlert>
        )}
        <Link to="/sign-in" className="usa-button usa-button--outline">
          Go to sign in
        </Link>
      </div>
    );
  return (
    <div className="fap-narrow">
      <PageTitle
        title="Accept your invitation"
        lead={
          <>
            You have been invited to join <strong>{inv.organization_name}</strong> on the Frontier Access Portal as <strong className="fap-break">{inv.email}</strong>.
            Choose your name and password to activate your account.
          </>
        }
      >
        Accept your invitation
      </PageTitle>
      <SystemUseNotice />
      <ProblemAlert error={action.error} heading={action.error?.status === 404 ? 'This invitation is not valid' : undefined} />
      <form
        className="usa-form usa-form--large"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!ack) {
            setAckError('Please confirm that you have read the system use notice.');
            return;
          }
          setAckError(undefined);
          void action.run();
        }}
      >
        <Checkbox name="acknowledge" label="I have read and understand the system use notice." checked={ack} onChange={setAck} error={ackError} />
        {/* The invited address for password managers; the lead above shows it to the person. */}
        <input type="hidden" name="username" autoComplete="username" value={inv.email} />
        <TextField name="name" label="Your full name" value={name} onChange={(e) => setName(e.target.value)} required autoComplete="name" error={action.fieldErrors.name} />
        <PasswordField name="password" label="Password" value={password} onChange={setPassword} autoComplete="new-password" hint={PASSWORD_HINT} error={action.fieldErrors.password} />
        <SubmitButton busy={action.busy} busyLabel="Activating…">
          Activate account
        </SubmitButton>
      </form>
    </div>
  );
}
