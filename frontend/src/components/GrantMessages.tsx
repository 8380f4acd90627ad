// The message thread of a grant (Government access or partner early access): the developer and
// the grantee side write to each other on the grant. Oldest first, who and when on each message;
// the form keeps what was typed as a draft (lib/drafts.ts) until it is sent.

import { useEffect, useRef, useState } from 'react';
import { useLocation } from 'react-router';
import type { GrantMessagesApi } from '../api/grantMessages';
import { useDraft } from '../lib/drafts';
import { useAction, usePaged } from '../lib/hooks';
import { SubmitButton, TextAreaField } from './fields';
import { DateTime, DraftNotice, LoadMore, Loading, ProblemAlert, Section, SuccessAlert } from './ui';

/** The longest message (the server's limit). */
export const GRANT_MESSAGE_MAX = 4000;

/**
 * `writeTo`: who the caller's messages go to, as the form's heading says it ("Aurora AI Labs",
 * "the agencies"); `between`: the parties ("Aurora AI Labs and Valley Rural Health"). Shown to the
 * grant's parties only (the server answers 404 to anyone else).
 */
export function GrantMessages({ thread, writeTo, between, grantId }: { thread: GrantMessagesApi; writeTo: string; between: string; grantId: string }) {
  const messages = usePaged((p) => thread.list(p), [thread.key], 200);
  const [text, setText, draft] = useDraft('grant-message', grantId, '');
  const [sent, setSent] = useState<string | null>(null);
  const action = useAction(async () => {
    setSent(null);
    await thread.post(text.trim());
    draft.clear();
    setSent(`Message sent. The administrators of ${writeTo} are told by email, without your text.`);
    await messages.reload();
  });
  // An emailed link points at #messages: bring the thread into view once it is there.
  const location = useLocation();
  const heading = useRef<HTMLDivElement>(null);
  const loaded = !messages.loading;
  useEffect(() => {
    if (loaded && location.hash === '#messages') heading.current?.scrollIntoView();
  }, [loaded, location.hash]);
  const tooLong = text.length > GRANT_MESSAGE_MAX;
  return (
    <div ref={heading}>
      <Section title="Messages" id="messages">
        <p>Between {between}, about this grant: only members of these organizations see them. Messages cannot be edited or deleted, and stay here after the grant ends.</p>
        {messages.error && <ProblemAlert error={messages.error} heading="Messages could not be loaded" />}
        {messages.loading && messages.items.length === 0 ? (
          <Loading />
        ) : messages.items.length === 0 ? (
          <p>No messages yet.</p>
        ) : (
          <ol className="fap-thread" aria-label="Messages, oldest first">
            {messages.items.map((m) => (
              <li key={m.id} className={`fap-thread__item fap-thread__item--${m.side}`}>
                <p className="fap-thread__meta">
                  <strong>{m.author_name}</strong>, {m.author_org_name} · <DateTime value={m.created_at} />
                </p>
                <div className="fap-prose">{m.body}</div>
              </li>
            ))}
          </ol>
        )}
        <LoadMore hasMore={messages.hasMore} loading={messages.loading} onClick={() => void messages.loadMore()} />
        <h3>Write to {writeTo}</h3>
        {sent && <SuccessAlert>{sent}</SuccessAlert>}
        <ProblemAlert error={action.error} />
        <DraftNotice draft={draft} />
        <form
          className="usa-form usa-form--large"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void action.run();
          }}
        >
          <TextAreaField
            name="body"
            label="Message"
            required
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setSent(null);
            }}
            error={action.fieldErrors.body ?? (tooLong ? `must be at most ${GRANT_MESSAGE_MAX} characters (now ${text.length})` : undefined)}
            hint={`Plain text, up to ${GRANT_MESSAGE_MAX.toLocaleString('en-US')} characters. The administrators of ${writeTo} get an email with a link, never your text.`}
          />
          <SubmitButton busy={action.busy}>Send message</SubmitButton>
        </form>
      </Section>
    </div>
  );
}
