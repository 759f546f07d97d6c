/**
 * One field of a view's state kept above the view (in App): the view is unmounted when another is shown, and what
 * the user built there (phrases, example scans, labels, the last result) must be there on coming back.
 */
import { useCallback, type Dispatch, type SetStateAction } from 'react';

export function useSessionField<S, K extends keyof S>(
  session: S,
  setSession: Dispatch<SetStateAction<S>>,
  key: K,
): [S[K], Dispatch<SetStateAction<S[K]>>] {
  const set = useCallback(
    (value: SetStateAction<S[K]>) =>
      setSession((s) => ({
        ...s,
        [key]: typeof value === 'function' ? (value as (old: S[K]) => S[K])(s[key]) : value,
      })),
    [setSession, key],
  );
  return [session[key], set];
}
