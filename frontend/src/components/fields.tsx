import type { ReactNode, InputHTMLAttributes, SelectHTMLAttributes, TextareaHTMLAttributes } from 'react';
import { fieldId } from './ui';
import { userTimeZone, zoneAbbreviation } from '../lib/dates';

interface Common {
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  required?: boolean;
  className?: string;
}

/** Label, hint, error and control wired together with ids and aria-describedby. */
function Group({
  name,
  label,
  hint,
  error,
  required,
  className,
  children,
}: Common & { children: (ids: { id: string; describedBy?: string; invalid: boolean }) => ReactNode }) {
  const id = fieldId(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`usa-form-group${error ? ' usa-form-group--error' : ''}${className ? ` ${className}` : ''}`}>
      <label className={`usa-label${error ? ' usa-label--error' : ''}`} htmlFor={id}>
        {label}
        {required ? (
          <>
            {' '}
            <abbr title="required" className="usa-hint usa-hint--required">
              *
            </abbr>
          </>
        ) : (
          <span className="usa-hint"> (optional)</span>
        )}
      </label>
      {hint && (
        <div className="usa-hint" id={hintId}>
          {hint}
        </div>
      )}
      {error && (
        <span className="usa-error-message" id={errorId}>
          {error}
        </span>
      )}
      {children({ id, describedBy, invalid: !!error })}
    </div>
  );
}

type InputProps = Common & Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'id'>;

export function TextField({ name, label, hint, error, required, className, ...rest }: InputProps) {
  return (
    <Group {...{ name, label, hint, error, required, className }}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          name={name}
          type="text"
          className={`usa-input${invalid ? ' usa-input--error' : ''}`}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          required={required}
          {...rest}
        />
      )}
    </Group>
  );
}

type TextAreaProps = Common & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name' | 'id'>;

export function TextAreaField({ name, label, hint, error, required, className, ...rest }: TextAreaProps) {
  return (
    <Group {...{ name, label, hint, error, required, className }}>
      {({ id, describedBy, invalid }) => (
        <textarea
          id={id}
          name={name}
          className={`usa-textarea${invalid ? ' usa-input--error' : ''}`}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          required={required}
          {...rest}
        />
      )}
    </Group>
  );
}

type SelectProps = Common &
  Omit<SelectHTMLAttributes<HTMLSelectElement>, 'name' | 'id'> & {
    options: { value: string; label: string }[];
    placeholder?: string;
  };

export function SelectField({ name, label, hint, error, required, className, options, placeholder, ...rest }: SelectProps) {
  return (
    <Group {...{ name, label, hint, error, required, className }}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          name={name}
          className={`usa-select${invalid ? ' usa-input--error' : ''}`}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          required={required}
          {...rest}
        >
          {placeholder !== undefined && <option value="">{placeholder}</option>}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Group>
  );
}

/**
 * The required "Model" select of the forms that start from a model (a designation request, a
 * Government window, a nomination). `describe` adds to the option's label after name and version.
 */
export function ModelSelect({
  models,
  value,
  onChange,
  error,
  describe,
}: {
  models: { id: string; name: string; version?: string | null }[];
  value: string;
  onChange: (modelId: string) => void;
  error?: string;
  describe?: (index: number) => string;
}) {
  return (
    <SelectField
      name="model_id"
      label="Model"
      required
      value={value}
      onChange={(e) => onChange(e.target.value)}
      placeholder="- Select a model -"
      options={models.map((m, i) => ({ value: m.id, label: [m.name, m.version, describe?.(i)].filter(Boolean).join(' ') }))}
      error={error}
    />
  );
}

/** A local date and time; the zone it is read in is named in the hint. */
export function DateTimeField({ hint, ...props }: InputProps) {
  const zone = `${userTimeZone()} (${zoneAbbreviation()})`;
  return (
    <TextField
      {...props}
      type="datetime-local"
      hint={
        <>
          {hint}
          {hint ? ' ' : ''}Your time zone: {zone}.
        </>
      }
    />
  );
}

export function Checkbox({
  name,
  label,
  checked,
  onChange,
  error,
  hint,
}: {
  name: string;
  label: ReactNode;
  checked: boolean;
  onChange: (v: boolean) => void;
  error?: string;
  hint?: ReactNode;
}) {
  const id = fieldId(name);
  const errorId = error ? `${id}-error` : undefined;
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={`usa-form-group${error ? ' usa-form-group--error' : ''}`}>
      {error && (
        <span className="usa-error-message" id={errorId}>
          {error}
        </span>
      )}
      <div className="usa-checkbox">
        <input
          className="usa-checkbox__input"
          id={id}
          name={name}
          type="checkbox"
          checked={checked}
          onChange={(e) => onChange(e.target.checked)}
          aria-describedby={[errorId, hintId].filter(Boolean).join(' ') || undefined}
          aria-invalid={error ? true : undefined}
        />
        <label className="usa-checkbox__label" htmlFor={id}>
          {label}
          {hint && (
            <span className="usa-checkbox__label-description" id={hintId}>
              {hint}
            </span>
          )}
        </label>
      </div>
    </div>
  );
}

export function RadioGroup({
  name,
  legend,
  options,
  value,
  onChange,
  error,
  hint,
  required = true,
}: {
  name: string;
  required?: boolean;
  legend: ReactNode;
  options: { value: string; label: string; description?: string }[];
  value: string;
  onChange: (v: string) => void;
  error?: string;
  hint?: ReactNode;
}) {
  const id = fieldId(name);
  return (
    <fieldset className={`usa-fieldset usa-form-group${error ? ' usa-form-group--error' : ''}`} id={id} tabIndex={-1}>
      <legend className="usa-legend">
        {legend}
        {required && (
          <>
            {' '}
            <abbr title="required" className="usa-hint usa-hint--required">
              *
            </abbr>
          </>
        )}
      </legend>
      {hint && <div className="usa-hint">{hint}</div>}
      {error && (
        <span className="usa-error-message">
          {error}
        </span>
      )}
      {options.map((o) => (
        <div className="usa-radio" key={o.value}>
          <input
            className="usa-radio__input"
            id={`${id}-${o.value}`}
            type="radio"
            name={name}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
          />
          <label className="usa-radio__label" htmlFor={`${id}-${o.value}`}>
            {o.label}
            {o.description && <span className="usa-checkbox__label-description">{o.description}</span>}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

export function SubmitButton({ busy, children, busyLabel }: { busy: boolean; children: ReactNode; busyLabel?: string }) {
  return (
    <button type="submit" className="usa-button" disabled={busy} aria-busy={busy || undefined}>
      {busy ? (busyLabel ?? 'Saving…') : children}
    </button>
  );
}
