import { useEffect, useState } from 'react';
import * as authApi from '../api/auth';
import type { NotificationSetting } from '../api/types';
import { SubmitButton } from '../components/fields';
import { Loaded, PageTitle, ProblemAlert, Section, SuccessAlert, fieldId } from '../components/ui';
import { useAction, useResource } from '../lib/hooks';

/** What a required email says instead of a choice. */
export const ALWAYS_SENT = 'Always sent: it concerns your account’s security.';

/** Email notifications (issue 11): a checkbox per optional email; account and security emails
 * are shown checked and cannot be turned off. Save replaces the whole set. */
export function NotificationsPage() {
  const res = useResource(authApi.notifications, []);
  const [off, setOff] = useState<Set<string>>(new Set());
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (res.data) setOff(new Set(res.data.items.filter((i) => !i.required && !i.enabled).map((i) => i.reason)));
  }, [res.data]);
  const save = useAction(async () => {
    setSaved(false);
    const answer = await authApi.saveNotifications([...off]);
    setOff(new Set(answer.items.filter((i) => !i.required && !i.enabled).map((i) => i.reason)));
    setSaved(true);
  });
  const toggle = (reason: string, on: boolean) => {
    setSaved(false);
    setOff((prev) => {
      const next = new Set(prev);
      if (on) next.delete(reason);
      else next.add(reason);
      return next;
    });
  };
  return (
    <>
      <PageTitle lead="Choose which emails the portal sends you. Each email only names what happened and links to the portal; the details stay in the portal.">
        Email notifications
      </PageTitle>
      <Loaded resource={res} label="email notifications">
        {(data) => {
          const optional = data.items.filter((i) => !i.required);
          const required = data.items.filter((i) => i.required);
          return (
            <>
              {optional.length > 0 && (
                <Section title="Emails you can turn off">
                  <form
                    className="usa-form usa-form--large"
                    onSubmit={(e) => {
                      e.preventDefault();
                      void save.run();
                    }}
                  >
                    <ProblemAlert error={save.error} />
                    <fieldset className="usa-fieldset usa-form-group" id={fieldId('disabled')} tabIndex={-1}>
                      <legend className="usa-legend">Send me an email when</legend>
                      <p className="usa-hint">Uncheck an email to stop receiving it. Everything stays visible in the portal.</p>
                      {optional.map((i) => (
                        <Choice key={i.reason} item={i} checked={!off.has(i.reason)} onChange={(on) => toggle(i.reason, on)} />
                      ))}
                    </fieldset>
                    <SubmitButton busy={save.busy} busyLabel="Saving…">
                      Save
                    </SubmitButton>
                    {saved && <SuccessAlert heading="Settings saved">The portal now sends you only the emails that are checked.</SuccessAlert>}
                  </form>
                </Section>
              )}
              <Section title="Emails always sent">
                <p id="notify-always-sent">{ALWAYS_SENT}</p>
                <fieldset className="usa-fieldset">
                  <legend className="usa-sr-only">Emails always sent</legend>
                  {required.map((i) => (
                    <Choice key={i.reason} item={i} checked disabled />
                  ))}
                </fieldset>
              </Section>
            </>
          );
        }}
      </Loaded>
    </>
  );
}

function Choice({
  item,
  checked,
  disabled = false,
  onChange,
}: {
  item: NotificationSetting;
  checked: boolean;
  disabled?: boolean;
  onChange?: (on: boolean) => void;
}) {
  const id = `notify-${item.reason}`;
  return (
    <div className="usa-checkbox">
      <input
        className="usa-checkbox__input"
        id={id}
        name={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange?.(e.target.checked)}
        aria-describedby={`${id}-description${disabled ? ' notify-always-sent' : ''}`}
      />
      <label className="usa-checkbox__label" htmlFor={id}>
        {item.label}
        <span className="usa-checkbox__label-description" id={`${id}-description`}>
          {item.description}
        </span>
      </label>
    </div>
  );
}
