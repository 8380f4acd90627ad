import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Capability } from '../api/types';
import { useMe } from '../auth/AuthContext';
import { PageTitle } from './ui';

/**
 * A form page only for the users the server would let submit it: `capabilities` of
 * `GET /auth/me` are the server's own policy (DESIGN §1), so a form opened by a typed or old
 * link says at once that it is not for this account instead of failing on submit.
 */
export function RequireCapability({
  any,
  what,
  who,
  children,
}: {
  /** The page is usable with any one of these. */
  any: Capability[];
  /** The act, as a sentence's subject: "Offering Government access". */
  what: string;
  /** Who may do it: "administrators of AI developer organizations". */
  who: string;
  children: ReactNode;
}) {
  const me = useMe();
  if (any.some((c) => me.capabilities.includes(c))) return <>{children}</>;
  return (
    <>
      <PageTitle>This page is not for your account</PageTitle>
      <p className="usa-intro">
        {what} is for {who}.
      </p>
      <p>
        You are signed in as {me.user.name || me.user.email} of {me.organization.name}, so nothing entered here could be saved. If you think you need to do
        this, ask your organization’s administrator.
      </p>
      <Link className="usa-link" to="/">
        Go to your dashboard
      </Link>
    </>
  );
}
