import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { AuthProvider } from '../../src/auth/AuthContext';
import { RequireAuth } from '../../src/App';
import { FlashProvider } from '../../src/components/Flash';
import { ConfirmAction } from '../../src/components/ConfirmAction';
import { DateTime, StatusTag, VoluntaryNotice } from '../../src/components/ui';
import { Timeline } from '../../src/components/Timeline';
import { SignInPage, VerifyEmailPage } from '../../src/pages/Auth';
import { RequestDetail } from '../../src/pages/Designations';
import { NotificationsPage } from '../../src/pages/Notifications';
import { STATUS_TONES } from '../../src/lib/labels';

type Handler = (url: string, init: RequestInit) => { status: number; body?: unknown } | undefined;

function mockFetch(handler: Handler) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const r = handler(url, init) ?? { status: 404, body: { status: 404, title: 'Not found' } };
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), {
      status: r.status,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

afterEach(() => vi.unstubAllGlobals());

describe('StatusTag', () => {
  it('uses the same colour class for a status wherever it appears', () => {
    render(
      <>
        <StatusTag status="awaiting_terms" />
        <StatusTag status="awaiting_terms" label="Waiting" />
        <StatusTag status="active" />
      </>,
    );
    const [a, b] = screen.getAllByText(/Awaiting terms|Waiting/);
    expect(a.className).toBe(b.className);
    expect(a).toHaveClass(`fap-tone--${STATUS_TONES.awaiting_terms}`);
    expect(screen.getByText('Active')).toHaveClass('fap-tone--good');
  });
});

describe('DateTime', () => {
  it('renders a <time> with the machine value and the UTC value on hover', () => {
    render(<DateTime value="2026-06-02T14:00:00Z" />);
    const t = document.querySelector('time')!;
    expect(t.getAttribute('datetime')).toBe('2026-06-02T14:00:00Z');
    expect(t.getAttribute('title')).toBe('2026-06-02 14:00:00 UTC');
    // The visible text always names a zone.
    expect(t.textContent).toMatch(/Jun 2, 2026, .* [A-Z]{2,5}|GMT/);
  });
});

describe('VoluntaryNotice', () => {
  it('states that nothing requires Government approval', () => {
    render(<VoluntaryNotice />);
    expect(screen.getByRole('note')).toHaveTextContent('Participation is voluntary. Nothing here requires Government approval');
  });
});

describe('Timeline', () => {
  it('has a text alternative listing every window and the cap', () => {
    render(
      <Timeline
        caption="Windows"
        windows={[{ id: 'g', lane: 'government', label: 'NSA', start: '2026-06-01T00:00:00Z', end: '2026-06-11T00:00:00Z', status: 'active' }]}
        governmentDaysGranted={10}
      />,
    );
    const img = screen.getByRole('img', { name: 'Windows' });
    const desc = document.getElementById(img.getAttribute('aria-describedby')!)!;
    expect(desc).toHaveTextContent('Government access — NSA');
    expect(desc).toHaveTextContent('10 days used, 20 days remaining');
    expect(img.querySelectorAll('rect.fap-tl-bar')).toHaveLength(1);
    // No inline style attributes: the server's CSP does not allow them.
    expect(img.outerHTML).not.toMatch(/style=/);
  });
});

describe('ConfirmAction', () => {
  // jsdom has no layout, so the modal's focus trap would find nothing focusable.
  const original = HTMLElement.prototype.getClientRects;
  beforeEach(() => {
    HTMLElement.prototype.getClientRects = function () {
      return [{ width: 10, height: 10 }] as unknown as DOMRectList;
    };
  });
  afterEach(() => {
    HTMLElement.prototype.getClientRects = original;
  });

  it('asks before acting and runs the action only on confirm', async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn().mockResolvedValue(undefined);
    render(
      <ConfirmAction label="End access now" heading="End this access grant now?" onConfirm={onConfirm}>
        <p>Access stops at once.</p>
      </ConfirmAction>,
    );
    // The dialog is rendered hidden up front (USWDS hides it with CSS, which jsdom does not apply).
    const opener = () => document.querySelector<HTMLButtonElement>('button[aria-haspopup="dialog"]')!;
    expect(opener()).toHaveTextContent('End access now');
    await user.click(opener());
    expect(onConfirm).not.toHaveBeenCalled();
    const dialog = screen.getByRole('dialog', { name: 'End this access grant now?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(onConfirm).not.toHaveBeenCalled();
    await user.click(opener());
    await user.click(within(screen.getByRole('dialog', { name: 'End this access grant now?' })).getByRole('button', { name: 'End access now' }));
    await waitFor(() => expect(onConfirm).toHaveBeenCalledTimes(1));
  });
});

describe('SignInPage', () => {
  it('does not sign in until the system use notice is acknowledged', async () => {
    const user = userEvent.setup();
    const fetchFn = mockFetch((url) => {
      if (url.endsWith('/auth/me')) return { status: 401, body: { status: 401, title: 'Unauthorized' } };
      if (url.endsWith('/auth/login')) return { status: 401, body: { status: 401, title: 'Unauthorized', detail: 'The email or password is not correct.' } };
      return undefined;
    });
    render(
      <MemoryRouter initialEntries={['/sign-in']}>
        <AuthProvider>
          <FlashProvider>
            <SignInPage />
          </FlashProvider>
        </AuthProvider>
      </MemoryRouter>,
    );
    expect(screen.getByText(/U\.S\. Government information system/)).toBeInTheDocument();
    await user.type(screen.getByLabelText(/^Email address/), 'a@b.example');
    await user.type(screen.getByLabelText(/^Password/), 'correct horse battery staple');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText(/confirm that you have read the system use notice/)).toBeInTheDocument();
    expect(fetchFn.mock.calls.some(([u]) => String(u).endsWith('/auth/login'))).toBe(false);

    await user.click(screen.getByLabelText(/I have read and understand the system use notice/));
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('The email or password is not correct.')).toBeInTheDocument();
    const login = fetchFn.mock.calls.find(([u]) => String(u).endsWith('/auth/login'))!;
    expect(JSON.parse(String(login[1]?.body))).toEqual({ email: 'a@b.example', password: 'correct horse battery staple' });
  });
});

describe('SignInPage second factor', () => {
  it('asks for the code after the password, and accepts a recovery code instead', async () => {
    const user = userEvent.setup();
    let signedIn = false;
    const fetchFn = mockFetch((url) => {
      if (url.endsWith('/auth/me'))
        return signedIn
          ? { status: 200, body: { user: { id: 'u1', email: 'r@nsa.example', name: 'R', org_role: 'admin' }, organization: { id: 'o1', name: 'NSA', kind: 'agency', agency_code: 'NSA' } } }
          : { status: 401, body: { status: 401, title: 'Unauthorized' } };
      if (url.endsWith('/auth/mfa')) return { status: 200, body: { enrolled: true, totp: true, passkeys: [], required: true, recovery_codes_left: 9, stepped_up: true } };
      if (url.endsWith('/auth/login')) return { status: 200, body: { mfa_required: true, methods: ['totp', 'recovery_code'] } };
      if (url.endsWith('/auth/login/mfa')) {
        signedIn = true;
        return { status: 200, body: { user: { id: 'u1' } } };
      }
      return undefined;
    });
    render(
      <MemoryRouter initialEntries={['/sign-in']}>
        <AuthProvider>
          <FlashProvider>
            <Routes>
              <Route path="/sign-in" element={<SignInPage />} />
              <Route path="/" element={<p>Dashboard</p>} />
            </Routes>
          </FlashProvider>
        </AuthProvider>
      </MemoryRouter>,
    );
    await user.click(screen.getByLabelText(/I have read and understand the system use notice/));
    await user.type(screen.getByLabelText(/^Email address/), 'r@nsa.example');
    await user.type(screen.getByLabelText(/^Password/), 'correct horse battery staple');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Enter your code' })).toBeInTheDocument();
    expect(screen.getByLabelText(/^Authentication code/)).toHaveAttribute('autocomplete', 'one-time-code');
    await user.click(screen.getByRole('button', { name: 'Use a recovery code instead' }));
    await user.type(screen.getByLabelText(/^Recovery code/), 'abcd-efgh-ijkl-mnop');
    await user.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    expect(await screen.findByText('Dashboard')).toBeInTheDocument();
    const call = fetchFn.mock.calls.find(([u]) => String(u).endsWith('/auth/login/mfa'))!;
    expect(JSON.parse(String(call[1]?.body))).toEqual({ recovery_code: 'abcd-efgh-ijkl-mnop' });
  });
});

describe('SignInPage passkey', () => {
  it('offers "Use a passkey" when methods has webauthn, and sends the browser\'s answer base64url-encoded', async () => {
    const user = userEvent.setup();
    let signedIn = false;
    const bytes = (...b: number[]) => new Uint8Array(b).buffer;
    const get = vi.fn(async () => ({
      id: 'AQI',
      rawId: bytes(1, 2),
      type: 'public-key',
      response: { authenticatorData: bytes(3), clientDataJSON: bytes(4), signature: bytes(0xfb, 0xff), userHandle: bytes(6) },
      getClientExtensionResults: () => ({}),
    }));
    Object.defineProperty(window, 'PublicKeyCredential', { value: function PublicKeyCredential() {}, configurable: true });
    Object.defineProperty(navigator, 'credentials', { value: { get, create: vi.fn() }, configurable: true });
    const fetchFn = mockFetch((url) => {
      if (url.endsWith('/auth/me'))
        return signedIn
          ? { status: 200, body: { user: { id: 'u1', email: 'd@acme.example', name: 'D', org_role: 'admin' }, organization: { id: 'o1', name: 'Acme', kind: 'developer', agency_code: null } } }
          : { status: 401, body: { status: 401, title: 'Unauthorized' } };
      if (url.endsWith('/auth/mfa')) return { status: 200, body: { enrolled: true, totp: false, passkeys: [], required: false, recovery_codes_left: 10, stepped_up: true } };
      if (url.endsWith('/auth/login')) return { status: 200, body: { mfa_required: true, methods: ['webauthn', 'recovery_code'] } };
      if (url.endsWith('/auth/login/webauthn/start'))
        return { status: 200, body: { publicKey: { challenge: 'AAEC', rpId: 'localhost', allowCredentials: [{ type: 'public-key', id: 'AQI' }] } } };
      if (url.endsWith('/auth/login/webauthn/finish')) {
        signedIn = true;
        return { status: 200, body: { user: { id: 'u1' } } };
      }
      return undefined;
    });
    render(
      <MemoryRouter initialEntries={['/sign-in']}>
        <AuthProvider>
          <FlashProvider>
            <Routes>
              <Route path="/sign-in" element={<SignInPage />} />
              <Route path="/" element={<p>Dashboard</p>} />
            </Routes>
          </FlashProvider>
        </AuthProvider>
      </MemoryRouter>,
    );
    await user.click(screen.getByLabelText(/I have read and understand the system use notice/));
    await user.type(screen.getByLabelText(/^Email address/), 'd@acme.example');
    await user.type(screen.getByLabelText(/^Password/), 'correct horse battery staple');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Confirm it is you' })).toBeInTheDocument();
    // No authenticator app: the code field is for a recovery code, and there is no switch to the app.
    expect(screen.getByLabelText(/^Recovery code/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /authenticator app instead/ })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Use a passkey' }));
    expect(await screen.findByText('Dashboard')).toBeInTheDocument();
    const options = (get.mock.calls[0] as unknown as [{ publicKey: { challenge: ArrayBuffer; allowCredentials: { id: ArrayBuffer }[] } }])[0].publicKey;
    expect([...new Uint8Array(options.challenge)]).toEqual([0, 1, 2]);
    expect([...new Uint8Array(options.allowCredentials[0].id)]).toEqual([1, 2]);
    const call = fetchFn.mock.calls.find(([u]) => String(u).endsWith('/auth/login/webauthn/finish'))!;
    expect(JSON.parse(String(call[1]?.body))).toEqual({
      credential: {
        id: 'AQI',
        rawId: 'AQI',
        type: 'public-key',
        response: { authenticatorData: 'Aw', clientDataJSON: 'BA', signature: '-_8', userHandle: 'Bg' },
        extensions: {},
      },
    });
  });
});

describe('VerifyEmailPage', () => {
  it('asks for the sign-up password and sends it with the token', async () => {
    const user = userEvent.setup();
    let answer = { status: 422, body: { status: 422, title: 'Unprocessable Entity', code: 'invalid_token', detail: 'This link is invalid, was already used or has expired, or the password is not the one chosen at sign-up.', errors: [{ field: 'token', message: 'is invalid or expired, or the password does not match' }] } };
    const fetchFn = mockFetch((url) => {
      if (url.endsWith('/auth/verify-email')) return answer;
      return undefined;
    });
    render(
      <MemoryRouter initialEntries={['/verify-email?token=T0K']}>
        <VerifyEmailPage />
      </MemoryRouter>,
    );
    // Nothing is sent until the password is given.
    expect(fetchFn).not.toHaveBeenCalled();
    await user.type(screen.getByLabelText(/^Your password/), 'wrong password here');
    await user.click(screen.getByRole('button', { name: 'Confirm my email address' }));
    expect(await screen.findByRole('heading', { name: 'We could not confirm your email address' })).toBeInTheDocument();
    expect(screen.getByText(/typed the password you chose when you signed up/)).toBeInTheDocument();
    const call = fetchFn.mock.calls.find(([u]) => String(u).endsWith('/auth/verify-email'))!;
    expect(JSON.parse(String(call[1]?.body))).toEqual({ token: 'T0K', password: 'wrong password here' });

    answer = { status: 200, body: { user: {} } } as never;
    await user.click(screen.getByRole('button', { name: 'Confirm my email address' }));
    expect(await screen.findByText('Email address confirmed')).toBeInTheDocument();
  });
});

describe('RequestDetail', () => {
  const request = {
    id: 'r1',
    model_id: 'm1',
    model_name: 'Aurora-7',
    model_version: '2.0',
    developer_org_id: 'd1',
    developer_org_name: 'Aurora AI',
    status: 'under_review',
    summary: 'Is it covered?',
    capability_evidence: 'Evidence.',
    consultations: [],
    consulted: { NCD: true, OSTP: false, CISA: true, DOW: false },
    created_at: '2026-06-01T00:00:00Z',
  };
  const me = (agency_code: string) => ({
    user: { id: 'u1', email: 'r@x.example', name: 'Reviewer', org_role: 'member' },
    organization: { id: 'o1', name: agency_code, kind: 'agency', agency_code },
  });

  function renderAs(agency: string) {
    mockFetch((url) => {
      if (url.endsWith('/auth/me')) return { status: 200, body: me(agency) };
      if (url.includes('/designation-requests/r1/messages')) return { status: 200, body: { items: [], next_cursor: null } };
      if (url.endsWith('/designation-requests/r1')) return { status: 200, body: request };
      if (url.endsWith('/organizations/me')) return { status: 200, body: { organization: me(agency).organization, users: [] } };
      return undefined;
    });
    render(
      <MemoryRouter initialEntries={['/designation-requests/r1']}>
        <AuthProvider>
          <FlashProvider>
            <Routes>
              <Route
                path="/designation-requests/:id"
                element={
                  <RequireAuth>
                    <RequestDetail />
                  </RequireAuth>
                }
              />
            </Routes>
          </FlashProvider>
        </AuthProvider>
      </MemoryRouter>,
    );
  }

  it('shows the determination form to NSA reviewers', async () => {
    renderAs('NSA');
    expect(await screen.findByRole('heading', { name: 'Record the determination (NSA)' })).toBeInTheDocument();
    expect(screen.getByText(/Not yet consulted: APST \(OSTP\), Department of War/)).toBeInTheDocument();
  });

  it('hides the determination form from other agencies but lets them consult', async () => {
    renderAs('CISA');
    expect(await screen.findByRole('heading', { name: 'Record a consultation' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: /Record the determination/ })).not.toBeInTheDocument();
  });

  it('records a consultation only in the reviewer\'s own office', async () => {
    const user = userEvent.setup();
    renderAs('CISA');
    expect(await screen.findByRole('heading', { name: 'Record a consultation' })).toBeInTheDocument();
    // No choice of another office is offered.
    expect(screen.queryByLabelText(/^Office consulted/)).not.toBeInTheDocument();
    expect(screen.getByText(/Recording the position of your office/)).toHaveTextContent('Cybersecurity and Infrastructure Security Agency (CISA)');
    await user.click(screen.getByLabelText('No comment'));
    await user.type(screen.getByLabelText(/^Note/), 'Reviewed.');
    await user.click(screen.getByRole('button', { name: 'Record consultation' }));
    const fetchFn = vi.mocked(fetch);
    await waitFor(() => expect(fetchFn.mock.calls.some(([u, i]) => String(u).endsWith('/consultations') && i?.method === 'POST')).toBe(true));
    const post = fetchFn.mock.calls.find(([u]) => String(u).endsWith('/consultations'))!;
    expect(JSON.parse(String(post[1]?.body))).toMatchObject({ agency_code: 'CISA', position: 'no_comment', note: 'Reviewed.' });
  });
});

describe('NotificationsPage', () => {
  const items = [
    { reason: 'request_submitted', label: 'Request submitted', description: 'A developer submitted a request.', required: false, enabled: true },
    { reason: 'password_reset', label: 'Password reset', description: 'A link to choose a new password.', required: true, enabled: true },
  ];

  it('sends the unchecked emails, shows Saving… then the notice, and an error summary when refused', async () => {
    const user = userEvent.setup();
    let release: () => void = () => {};
    let refuse = false;
    const fetchFn = mockFetch((url, init) => {
      if (!url.endsWith('/auth/notifications')) return undefined;
      if (init.method === 'PUT') {
        if (refuse)
          return {
            status: 422,
            body: {
              status: 422,
              title: 'Unprocessable Entity',
              code: 'validation_failed',
              detail: '“Password reset” is always sent because it concerns your account’s security, so it cannot be turned off.',
              errors: [{ field: 'disabled', message: '“Password reset” is always sent because it concerns your account’s security, so it cannot be turned off.' }],
            },
          };
        return { status: 200, body: { items: [{ ...items[0], enabled: false }, items[1]] } };
      }
      return { status: 200, body: { items } };
    });
    render(<NotificationsPage />);
    const box = await screen.findByRole('checkbox', { name: /^Request submitted/ });
    const reset = screen.getByRole('checkbox', { name: /^Password reset/ });
    expect(reset).toBeChecked();
    expect(reset).toBeDisabled();
    expect(screen.getByText(/Always sent: it concerns your account’s security/)).toBeInTheDocument();

    await user.click(box);
    const gate = new Promise<void>((r) => (release = r));
    const real = fetchFn.getMockImplementation()!;
    fetchFn.mockImplementationOnce(async (url: string, init: RequestInit = {}) => {
      await gate;
      return real(url, init);
    });
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('button', { name: 'Saving…' })).toBeDisabled();
    release();
    expect(await screen.findByText('Settings saved')).toBeInTheDocument();
    const put = fetchFn.mock.calls.find(([, i]) => i?.method === 'PUT')!;
    expect(JSON.parse(String(put[1]?.body))).toEqual({ disabled: ['request_submitted'] });
    expect(screen.getByRole('checkbox', { name: /^Request submitted/ })).not.toBeChecked();

    refuse = true;
    await user.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Please correct the highlighted fields')).toBeInTheDocument();
    expect(within(alert).getByRole('link', { name: /Send me an email when: .*Password reset/ })).toHaveAttribute('href', '#field-disabled');
    expect(screen.queryByText('Settings saved')).not.toBeInTheDocument();
  });
});
