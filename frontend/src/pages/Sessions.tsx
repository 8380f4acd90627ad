import { Link, useNavigate } from 'react-router';
import * as authApi from '../api/auth';
import type { Session } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { ConfirmAction } from '../components/ConfirmAction';
import { useFlash } from '../components/Flash';
import { DateTime, Loaded, PageTitle, Section } from '../components/ui';
import { useResource } from '../lib/hooks';
import { ApiTokensTable } from './Account';

/** Where you are signed in, and your API tokens; end any of them (DESIGN §7). */
export function SessionsPage() {
  const res = useResource(authApi.sessions, []);
  const { refresh } = useAuth();
  const { setFlash } = useFlash();
  const navigate = useNavigate();

  const end = async (s: Session) => {
    await authApi.endSession(s.id);
    if (s.current) {
      setFlash('You ended this session and are signed out. Sign in again to continue.');
      await refresh();
      navigate('/sign-in', { replace: true });
      return;
    }
    await res.reload();
  };

  return (
    <>
      <PageTitle lead="Everywhere you are signed in, and your API tokens. If you do not recognise one, end it, then change your password.">
        Sessions
      </PageTitle>
      <Loaded resource={res} label="sessions">
        {(data) => (
          <>
            <Section title="Signed-in browsers">
              <div className="fap-table-wrap">
                <table className="usa-table usa-table--borderless usa-table--stacked fap-table">
                  <caption className="usa-sr-only">Your signed-in sessions</caption>
                  <thead>
                    <tr>
                      <th scope="col">Browser</th>
                      <th scope="col">Address</th>
                      <th scope="col">Signed in</th>
                      <th scope="col">Last seen</th>
                      <th scope="col">
                        <span className="usa-sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.sessions.map((s) => (
                      <tr key={s.id} className={s.current ? 'fap-row--current' : undefined}>
                        <th scope="row" data-label="Browser">
                          {s.browser}
                          {s.current && <span className="usa-tag margin-left-1">This browser</span>}
                        </th>
                        <td data-label="Address">{s.ip ?? 'Unknown'}</td>
                        <td data-label="Signed in">
                          <DateTime value={s.created_at} />
                        </td>
                        <td data-label="Last seen">
                          <DateTime value={s.last_seen_at} />
                        </td>
                        <td data-label="Actions">
                          <ConfirmAction
                            label="End"
                            outline
                            srSuffix={` the session of ${s.browser}${s.current ? ' (this browser)' : ''}`}
                            heading={s.current ? 'End this session and sign out?' : `End the session of ${s.browser}?`}
                            confirmLabel={s.current ? 'End and sign out' : 'End session'}
                            onConfirm={() => end(s)}
                          >
                            <p>
                              {s.current
                                ? 'You are signed out of this browser at once.'
                                : 'That browser is signed out at once; whoever uses it must sign in again.'}
                            </p>
                          </ConfirmAction>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Section>
            <Section title="API tokens" actions={<Link to="/api-tokens">Create a token</Link>}>
              <ApiTokensTable
                tokens={data.api_tokens}
                endLabel="End"
                onEnd={async (t) => {
                  await authApi.endSession(t.id);
                  await res.reload();
                }}
              />
            </Section>
          </>
        )}
      </Loaded>
    </>
  );
}
