import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useLocation } from 'react-router';

interface FlashState {
  flash: string | null;
  /** Show `message` on the next page (the one navigated to), then forget it. */
  setFlash: (message: string) => void;
}

const FlashContext = createContext<FlashState>({ flash: null, setFlash: () => {} });

export function FlashProvider({ children }: { children: ReactNode }) {
  const location = useLocation();
  const [pending, setPending] = useState<{ message: string; from: string } | null>(null);
  const [shown, setShown] = useState<{ message: string; at: string } | null>(null);

  useEffect(() => {
    if (pending && pending.from !== location.pathname) {
      setShown({ message: pending.message, at: location.pathname });
      setPending(null);
    } else if (shown && shown.at !== location.pathname) {
      setShown(null);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [location.pathname]);

  const setFlash = useCallback(
    (message: string) => setPending({ message, from: window.location.pathname }),
    [],
  );
  const value = useMemo(() => ({ flash: shown?.message ?? null, setFlash }), [shown, setFlash]);
  return <FlashContext.Provider value={value}>{children}</FlashContext.Provider>;
}

export function useFlash(): FlashState {
  return useContext(FlashContext);
}
