import { forwardRef, useId, useImperativeHandle, useRef, type ReactNode } from 'react';
import { Modal, ModalFooter, ModalHeading, type ModalRef } from '@trussworks/react-uswds';
import { useAction } from '../lib/hooks';
import { ProblemAlert } from './ui';

export type ConfirmDialogRef = { open: () => void; close: () => void };

/**
 * The one confirmation dialog of the portal (a USWDS modal): end, revoke, withdraw, rescind,
 * remove, and the official acts (submitting a request, publishing terms, recording a
 * determination, the Government's concurrence). It focuses the safe choice (Cancel) when it
 * opens. With `closeFirst` the dialog closes before `onConfirm` runs, so a form's own error
 * summary and field errors show the outcome; otherwise the action's error is shown inside it.
 */
export const ConfirmDialog = forwardRef<
  ConfirmDialogRef,
  {
    heading: string;
    children: ReactNode;
    confirmLabel: string;
    onConfirm: () => Promise<unknown> | void;
    danger?: boolean;
    large?: boolean;
    closeFirst?: boolean;
    cancelLabel?: string;
    id?: string;
  }
>(function ConfirmDialog({ heading, children, confirmLabel, onConfirm, danger = true, large = false, closeFirst = false, cancelLabel = 'Cancel', id: givenId }, handle) {
  const ref = useRef<ModalRef>(null);
  const uid = useId().replace(/:/g, '');
  const id = givenId ?? `confirm-${uid}`;
  const action = useAction(async () => {
    await onConfirm();
    return true;
  });
  useImperativeHandle(handle, () => ({
    open: () => {
      action.clear();
      ref.current?.toggleModal(undefined, true);
    },
    close: () => ref.current?.toggleModal(undefined, false),
  }));
  const confirm = async () => {
    if (closeFirst) {
      ref.current?.toggleModal(undefined, false);
      await onConfirm();
      return;
    }
    const ok = await action.run();
    if (ok) ref.current?.toggleModal(undefined, false);
  };
  return (
    <Modal ref={ref} id={id} isLarge={large} aria-labelledby={`${id}-heading`} aria-describedby={`${id}-desc`}>
      <ModalHeading id={`${id}-heading`}>{heading}</ModalHeading>
      <div className="usa-prose" id={`${id}-desc`}>
        {children}
      </div>
      <ProblemAlert error={action.error} />
      <ModalFooter>
        <ul className="usa-button-group">
          <li className="usa-button-group__item">
            <button type="button" className={danger ? 'usa-button usa-button--secondary' : 'usa-button'} onClick={() => void confirm()} disabled={action.busy}>
              {action.busy ? 'Working…' : confirmLabel}
            </button>
          </li>
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--unstyled padding-105 text-center" onClick={() => ref.current?.toggleModal(undefined, false)} data-focus>
              {cancelLabel}
            </button>
          </li>
        </ul>
      </ModalFooter>
    </Modal>
  );
});

/**
 * A button that asks for confirmation in the ConfirmDialog before it acts. The action's error
 * is shown inside the dialog.
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
  large,
  busy,
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
  large?: boolean;
  busy?: boolean;
}) {
  const ref = useRef<ConfirmDialogRef>(null);
  const uid = useId().replace(/:/g, '');
  const id = `confirm-${uid}`;
  const btnClass = danger
    ? outline
      ? 'usa-button usa-button--outline fap-button--danger-outline'
      : 'usa-button usa-button--secondary'
    : outline
      ? 'usa-button usa-button--outline'
      : 'usa-button';

  return (
    <>
      <button type="button" className={btnClass} onClick={() => ref.current?.open()} aria-haspopup="dialog" aria-controls={id} disabled={busy}>
        {label}
        {srSuffix && <span className="usa-sr-only">{srSuffix}</span>}
      </button>
      <ConfirmDialog ref={ref} id={id} heading={heading} confirmLabel={confirmLabel ?? label} onConfirm={onConfirm} danger={danger} large={large}>
        {children}
      </ConfirmDialog>
    </>
  );
}
