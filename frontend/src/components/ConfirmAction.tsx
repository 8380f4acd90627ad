import { useId, useRef, type ReactNode } from 'react';
import { Modal, ModalFooter, ModalHeading, type ModalRef } from '@trussworks/react-uswds';
import { useAction } from '../lib/hooks';
import { ProblemAlert } from './ui';

/**
 * A button that asks for confirmation in a USWDS modal before an irreversible action
 * (end, revoke, withdraw, rescind, remove). The action's error is shown inside the dialog.
 */
export function ConfirmAction({
  label,
  heading,
  children,
  confirmLabel,
  onConfirm,
  danger = true,
  outline = false,
  srSuffix,
}: {
  label: string;
  /** Extra words for screen readers only, e.g. whom a "Remove" button removes. */
  srSuffix?: string;
  heading: string;
  children: ReactNode;
  confirmLabel?: string;
  onConfirm: () => Promise<unknown>;
  danger?: boolean;
  outline?: boolean;
}) {
  const ref = useRef<ModalRef>(null);
  const uid = useId().replace(/:/g, '');
  const id = `confirm-${uid}`;
  const action = useAction(async () => {
    await onConfirm();
    return true;
  });

  const open = () => {
    action.clear();
    ref.current?.toggleModal(undefined, true);
  };
  const confirm = async () => {
    const ok = await action.run();
    if (ok) ref.current?.toggleModal(undefined, false);
  };

  const btnClass = danger
    ? outline
      ? 'usa-button usa-button--outline fap-button--danger-outline'
      : 'usa-button usa-button--secondary'
    : outline
      ? 'usa-button usa-button--outline'
      : 'usa-button';

  return (
    <>
      <button type="button" className={btnClass} onClick={open} aria-haspopup="dialog" aria-controls={id}>
        {label}
        {srSuffix && <span className="usa-sr-only">{srSuffix}</span>}
      </button>
      <Modal ref={ref} id={id} aria-labelledby={`${id}-heading`} aria-describedby={`${id}-desc`}>
        <ModalHeading id={`${id}-heading`}>{heading}</ModalHeading>
        <div className="usa-prose" id={`${id}-desc`}>
          {children}
        </div>
        <ProblemAlert error={action.error} />
        <ModalFooter>
          <ul className="usa-button-group">
            <li className="usa-button-group__item">
              <button
                type="button"
                className={danger ? 'usa-button usa-button--secondary' : 'usa-button'}
                onClick={confirm}
                disabled={action.busy}
                data-focus
              >
                {action.busy ? 'Working…' : (confirmLabel ?? label)}
              </button>
            </li>
            <li className="usa-button-group__item">
              <button
                type="button"
                className="usa-button usa-button--unstyled padding-105 text-center"
                onClick={() => ref.current?.toggleModal(undefined, false)}
              >
                Cancel
              </button>
            </li>
          </ul>
        </ModalFooter>
      </Modal>
    </>
  );
}
