import { useEffect } from 'react';
import { useLocation } from 'react-router';
import { PageTitle } from '../components/ui';
import { SystemUseNotice } from '../components/SystemUseNotice';

export function AboutPage() {
  const { hash } = useLocation();
  useEffect(() => {
    if (hash) document.getElementById(hash.slice(1))?.scrollIntoView();
  }, [hash]);
  return (
    <div className="fap-narrow usa-prose">
      <PageTitle>About the Frontier Access Portal</PageTitle>
      <p>
        The portal supports the voluntary engagement between AI developers and the U.S. Government described in Sec. 3 of
        the executive order “Promoting Advanced Artificial Intelligence Innovation and Security”:
      </p>
      <ul>
        <li>developers may ask whether a model under development is a covered frontier model (the Director of NSA decides, in consultation with the National Cyber Director, APST, CISA and the Department of War);</li>
        <li>developers may give Government agencies access to a covered model, under agreed terms, for up to 30 days before release to other trusted partners;</li>
        <li>developers and the Government together select trusted partners who get early access.</li>
      </ul>
      <h2 id="voluntary">Nothing here is mandatory</h2>
      <p>
        Nothing in the portal is a license, a preclearance or a permit. A developer can withdraw a request, end or shorten
        access, rescind a nomination, revoke a grant or release a model at any time, without waiting for anyone.
      </p>
      <h2 id="accessibility">Accessibility</h2>
      <p>
        The portal aims to meet WCAG 2.1 level AA and Section 508. It works with a keyboard and screen readers, at any zoom
        level and on small screens. Every chart has a text equivalent. If something is hard to use, tell the portal’s
        operators through your organization’s administrator.
      </p>
      <h2 id="privacy">Privacy and system use</h2>
      <p>
        The portal records who did what and when in a tamper-evident audit trail. Emails contain a link and a one-line
        reason, never the content of records. Do not enter classified information anywhere in the portal.
      </p>
      <SystemUseNotice />
    </div>
  );
}
