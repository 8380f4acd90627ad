import { TERMS_SECTIONS, type Terms } from '../api/types';
import { TERMS_SECTION_LABELS } from '../lib/labels';
import { CopyButton } from './CopyButton';

/** The six sections of a terms version, with its fingerprint. */
/** The six sections of a terms version, with its fingerprint. */
export function TermsText({ terms, headingLevel = 2 }: { terms: Terms; headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const Hs = headingLevel === 2 ? 'h3' : 'h4';
  return (
    <div className="fap-terms">
      <H className="fap-terms__label">{terms.label}</H>
      <p className="fap-hash">
        SHA-256: <code>{terms.sha256}</code> <CopyButton text={terms.sha256} label="Copy fingerprint" />
      </p>
      {TERMS_SECTIONS.map((s) => (
        <div key={s} className="fap-terms__section">
          <Hs>{TERMS_SECTION_LABELS[s]}</Hs>
          <div className="fap-prose">{terms[s]}</div>
        </div>
      ))}
    </div>
  );
}
