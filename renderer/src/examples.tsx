/**
 * The example set of the opened studies ("Use as example"): scans a researcher picked because they show a
 * rare finding, kept by the main process per study or folder (the opened catalog's scope) across
 * restarts. The viewer, the Query rows, the Examples panels and the Screening view all read and change it
 * here, so they agree on it.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { getApi, type Catalog, type Response } from './api';
import { counted } from './format';

type ExampleSet = Response<'examples.get'>;

/** What the main process says (ExampleSet.confidentFrom) until it has been asked once. */
const CONFIDENT_FROM = 4;

export interface Examples {
  /** The opened catalog's source, whose example set this is; null while nothing is open. */
  scope: string | null;
  paths: readonly string[];
  /** The set of the scope has been read (until then `paths` is empty). */
  loaded: boolean;
  /** Below this many examples, screening by them rests on little. */
  confidentFrom: number;
  /** Why the set could not be read, if it could not. */
  error: string | null;
  /** Examples whose file is gone (screening leaves them out). */
  missing: ReadonlySet<string>;
  /** Why the sets started empty this run (their file was damaged and set aside), or null. */
  warning: string | null;
  /** Whether a scan is one of the opened catalog's (only those can join its example set). */
  inScope: (path: string) => boolean;
  isExample: (path: string) => boolean;
  /** An add or remove of this scan is on its way. */
  pending: (path: string) => boolean;
  /** Adds the scan to the set, or removes it; rejects with the main process's reason. */
  toggle: (path: string) => Promise<void>;
  remove: (path: string) => Promise<void>;
}

const Context = createContext<Examples>({
  scope: null,
  paths: [],
  loaded: false,
  confidentFrom: CONFIDENT_FROM,
  error: null,
  missing: new Set(),
  warning: null,
  inScope: () => false,
  isExample: () => false,
  pending: () => false,
  toggle: async () => {},
  remove: async () => {},
});

export function ExamplesProvider({ catalog, children }: { catalog: Catalog | null; children: ReactNode }) {
  const api = getApi();
  const scope = catalog?.scope ?? null;
  const inCatalog = useMemo(
    () =>
      new Set(
        catalog?.patients.flatMap((p) =>
          p.studies.flatMap((s) => s.series.flatMap((se) => se.instances.map((i) => i.path))),
        ),
      ),
    [catalog],
  );
  const [set, setSet] = useState<ExampleSet | null>(null);
  const [confidentFrom, setConfidentFrom] = useState(CONFIDENT_FROM);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  // Answers are taken only for the scope shown now, and only the newest (each holds the whole set).
  const current = useRef(scope);
  const asked = useRef(0);
  useLayoutEffect(() => {
    current.current = scope;
  }, [scope]);
  const take = useCallback((answer: ExampleSet, request: number) => {
    setConfidentFrom(answer.confidentFrom);
    if (answer.scope === current.current && request === asked.current) setSet(answer);
  }, []);

  const load = useCallback(
    (forScope: string) => {
      const request = ++asked.current;
      api.call('examples.get', { scope: forScope }).then(
        (answer) => {
          setError(null);
          take(answer, request);
        },
        (e: Error) => {
          if (forScope === current.current && request === asked.current) setError(e.message);
        },
      );
    },
    [api, take],
  );
  useEffect(() => {
    setSet(null);
    setError(null);
    if (scope) load(scope);
  }, [scope, load]);

  const change = useCallback(
    async (path: string, add: boolean) => {
      if (!scope) return;
      const request = ++asked.current;
      setPending((old) => new Set(old).add(path));
      try {
        take(await api.call(add ? 'examples.add' : 'examples.remove', { scope, path }), request);
      } catch (e) {
        // What the set holds now is not known: read it again.
        if (scope === current.current) load(scope);
        throw e;
      } finally {
        setPending((old) => {
          const next = new Set(old);
          next.delete(path);
          return next;
        });
      }
    },
    [api, scope, take, load],
  );

  const paths = useMemo(() => (set && set.scope === scope ? set.paths : []), [set, scope]);
  const members = useMemo(() => new Set(paths), [paths]);
  const missing = useMemo(() => new Set(set && set.scope === scope ? set.missing : []), [set, scope]);
  const value = useMemo<Examples>(
    () => ({
      scope,
      paths,
      loaded: !!set && set.scope === scope,
      confidentFrom,
      error,
      missing,
      warning: set?.warning ?? null,
      inScope: (path) => inCatalog.has(path),
      isExample: (path) => members.has(path),
      pending: (path) => pending.has(path),
      toggle: (path) => change(path, !members.has(path)),
      remove: (path) => change(path, false),
    }),
    [scope, paths, set, confidentFrom, error, missing, inCatalog, members, pending, change],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export const useExamples = (): Examples => useContext(Context);

/** "3 examples", "1 example". */
export const examplesText = (n: number) => counted(n, 'example');

/** The warning below `confidentFrom` examples, as every view words it. */
export const fewExamplesText = (confidentFrom: number) =>
  `Fewer than ${confidentFrom} examples: results rest on little.`;
