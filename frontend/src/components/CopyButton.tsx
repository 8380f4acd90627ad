import { useState } from 'react';

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
    window.setTimeout(() => setState('idle'), 4000);
  };
  return (
    <>
      <button type="button" className="usa-button usa-button--outline usa-button--small fap-copy" onClick={() => void copy()}>
        {label}
      </button>
      <span className="fap-copy-status" role="status" aria-live="polite">
        {state === 'copied' ? 'Copied.' : state === 'failed' ? 'Copy failed: select the text and copy it yourself.' : ''}
      </span>
    </>
  );
}
