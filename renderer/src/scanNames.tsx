/**
 * The views' shared knowledge of scan names and the "Hide identifiers" toggle: the labels of the
 * opened catalog's files and of screening results shown, by path, and whether patient name,
 * patient ID and accession are hidden (persisted in localStorage, off by default).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Catalog } from './api';
import { labelsFromCatalog, scanText, shownPath, type ScanLabel } from './naming';
import { shortPath } from './format';

const STORAGE_KEY = 'radsift.hideIdentifiers';

interface ScanNames {
  /** Patient name, patient ID and accession are hidden everywhere (screenshots, exports). */
  hideIdentifiers: boolean;
  setHideIdentifiers: (hide: boolean) => void;
  label: (path: string) => ScanLabel | undefined;
  /** Adds labels for paths outside the opened catalog (e.g. screening results). */
  remember: (labels: Iterable<[string, ScanLabel]>) => void;
}

const Context = createContext<ScanNames>({
  hideIdentifiers: false,
  setHideIdentifiers: () => {},
  label: () => undefined,
  remember: () => {},
});

function storedHide(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) === '1';
  } catch {
    return false;
  }
}

export function ScanNamesProvider({ catalog, children }: { catalog: Catalog | null; children: ReactNode }) {
  const [hideIdentifiers, setHide] = useState(storedHide);
  const fromCatalog = useMemo(() => labelsFromCatalog(catalog), [catalog]);
  const [remembered, setRemembered] = useState<ReadonlyMap<string, ScanLabel>>(new Map());
  useEffect(() => {
    try {
      localStorage.setItem(STORAGE_KEY, hideIdentifiers ? '1' : '0');
    } catch {
      // No storage (a locked-down profile): the choice lasts until the window closes.
    }
  }, [hideIdentifiers]);
  const label = useCallback((path: string) => fromCatalog.get(path) ?? remembered.get(path), [fromCatalog, remembered]);
  const remember = useCallback(
    (labels: Iterable<[string, ScanLabel]>) => setRemembered((old) => new Map([...old, ...labels])),
    [],
  );
  const value = useMemo(
    () => ({ hideIdentifiers, setHideIdentifiers: setHide, label, remember }),
    [hideIdentifiers, label, remember],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export const useScanNames = (): ScanNames => useContext(Context);

/** How a scan is named in a list: its label line (or its short path when it has none) and the path to show as secondary. */
export function useScanNaming(): (path: string) => { label: ScanLabel | undefined; text: string; path: string } {
  const { hideIdentifiers, label } = useScanNames();
  return useCallback(
    (path: string) => {
      const l = label(path);
      const shown = shownPath(path, l, hideIdentifiers);
      return { label: l, text: scanText(l, hideIdentifiers) || shortPath(shown), path: shown };
    },
    [hideIdentifiers, label],
  );
}

/** The toggle, for the status bar. */
export function HideIdentifiersToggle() {
  const { hideIdentifiers, setHideIdentifiers } = useScanNames();
  return (
    <label
      className="privacy-toggle"
      title="Hide patient name, patient ID and accession in every view, the viewer and exports (for screenshots and sharing)"
    >
      <input type="checkbox" checked={hideIdentifiers} onChange={(e) => setHideIdentifiers(e.target.checked)} /> Hide
      identifiers
    </label>
  );
}
