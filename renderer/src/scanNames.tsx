/**
 * The views' shared knowledge of scan names and the "Hide identifiers" toggle: the labels of the
 * opened catalog's files and of screening results shown, by path, and whether patient name,
 * patient ID and accession are hidden (persisted in localStorage, off by default).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Catalog } from './api';
import { labelsFromCatalog, scanText, type ScanLabel } from './naming';
import { scansHider } from '../../electron/api/identifiers';
import { shortPath } from './format';

const STORAGE_KEY = 'radsift.hideIdentifiers';

interface ScanNames {
  /** Patient name, patient ID and accession are hidden everywhere (screenshots, exports). */
  hideIdentifiers: boolean;
  setHideIdentifiers: (hide: boolean) => void;
  label: (path: string) => ScanLabel | undefined;
  /** Adds labels for paths outside the opened catalog (e.g. screening results). */
  remember: (labels: Iterable<[string, ScanLabel]>) => void;
  /**
   * Text about scans (a path, an error) as shown: with identifiers hidden, those of `own` anywhere and every
   * known scan's (the catalog's, the results') as the CLI's --hide-identifiers cuts them, so that a file with no
   * label of its own (one that failed) still loses the patient its folder is named after.
   */
  hideText: (text: string, own?: ScanLabel) => string;
}

const Context = createContext<ScanNames>({
  hideIdentifiers: false,
  setHideIdentifiers: () => {},
  label: () => undefined,
  remember: () => {},
  hideText: (text) => text,
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
  const hideText = useMemo(() => {
    if (!hideIdentifiers) return (text: string) => text;
    // Made on first use: a 20,000-row job's labels, each time the results are read again.
    let hider: ReturnType<typeof scansHider> | null = null;
    return (text: string, own?: ScanLabel) =>
      (hider ??= scansHider([...fromCatalog.values(), ...remembered.values()]))(text, own);
  }, [hideIdentifiers, fromCatalog, remembered]);
  const value = useMemo(
    () => ({ hideIdentifiers, setHideIdentifiers: setHide, label, remember, hideText }),
    [hideIdentifiers, label, remember, hideText],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export const useScanNames = (): ScanNames => useContext(Context);

/** How a scan is named in a list: its label line (or its short path when it has none) and the path to show as secondary. */
export function useScanNaming(): (path: string) => { label: ScanLabel | undefined; text: string; path: string } {
  const { hideIdentifiers, label, hideText } = useScanNames();
  return useCallback(
    (path: string) => {
      const l = label(path);
      const shown = hideText(path, l);
      return { label: l, text: scanText(l, hideIdentifiers) || shortPath(shown), path: shown };
    },
    [hideIdentifiers, label, hideText],
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
