/**
 * The rare-finding workflow's controls: "Use as example" on a scan (the viewer, Query results), and the
 * Examples panel that lists the opened study's or folder's example set, named like every other scan, with
 * its count, a remove button per scan, and a warning while there are too few to rest on.
 */
import { useState } from 'react';
import { getApi } from '../api';
import { counted } from '../format';
import { fewExamplesText, useExamples } from '../examples';
import { useScanNaming } from '../scanNames';
import { ScanName } from './ScanName';

/** Adds the scan to the opened studies' example set, or (pressed: "✓ Example") takes it out; nothing for other scans. */
export function ExampleToggle({ path, className = '' }: { path: string; className?: string }) {
  const examples = useExamples();
  const [error, setError] = useState<string | null>(null);
  if (!examples.scope || !examples.inScope(path)) return null;
  const on = examples.isExample(path);
  return (
    <>
      <button
        type="button"
        className={`${className}${on ? ' plus' : ''}`.trim() || undefined}
        aria-pressed={on}
        disabled={!examples.loaded || examples.pending(path)}
        data-testid="example-toggle"
        title={
          on
            ? 'In the example set of these studies: click to take it out'
            : 'Add this scan to the example set of these studies (scans that show the rare finding), to screen with'
        }
        onClick={() => {
          setError(null);
          examples.toggle(path).catch((e: Error) => setError(e.message));
        }}
      >
        {on ? '✓ Example' : 'Use as example'}
      </button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

/**
 * The example set of the opened studies. `onView` opens a scan of it (with the set as the list to step
 * through); without it the names are not links. `hideWhenEmpty`: nothing until the set has a scan.
 */
export function ExamplesPanel({
  onView,
  hideWhenEmpty = false,
}: {
  onView?: (path: string, list: readonly string[]) => void;
  hideWhenEmpty?: boolean;
}) {
  const api = getApi();
  const examples = useExamples();
  const naming = useScanNaming();
  const [error, setError] = useState<string | null>(null);
  const { paths, confidentFrom } = examples;
  if (!examples.scope || (hideWhenEmpty && !paths.length && !examples.error)) return null;
  return (
    <section className="examples-panel" aria-labelledby="examples-title" data-testid="examples-panel">
      {/* "Examples (3 scans)", "Examples (none yet)": the noun once ("Examples 0 examples" read as a stutter). */}
      <h2 id="examples-title">
        Examples
        {examples.loaded && (
          <span className="muted">
            {' '}
            (<span data-testid="examples-count">{paths.length ? counted(paths.length, 'scan') : 'none yet'}</span>)
          </span>
        )}
      </h2>
      {examples.error && (
        <p className="error" role="alert">
          {examples.error}
        </p>
      )}
      {examples.warning && (
        <p className="hint" role="status" data-testid="examples-reset">
          <span aria-hidden="true">⚠ </span>
          {examples.warning}
        </p>
      )}
      {examples.loaded && !paths.length && (
        <p className="muted">
          “Use as example” in the viewer or on a Query result adds a scan that shows the finding; the Screening view
          then screens with the set.
        </p>
      )}
      {paths.length > 0 && paths.length < confidentFrom && (
        <p className="hint" data-testid="examples-warning">
          <span aria-hidden="true">⚠ </span>
          {fewExamplesText(confidentFrom)}
        </p>
      )}
      {paths.length > 0 && (
        <ul className="examples-list" aria-label="Example scans">
          {paths.map((path) => {
            const named = naming(path);
            const gone = examples.missing.has(path);
            return (
              <li key={path} data-testid="example-item" className={gone ? 'gone' : undefined}>
                {onView ? (
                  <button type="button" className="example-scan" onClick={() => onView(path, paths)} title={named.path}>
                    <img src={api.scanUrl(path, { kind: 'thumb', size: 64 })} alt="" loading="lazy" />
                    <ScanName path={path} />
                  </button>
                ) : (
                  <span className="example-scan" title={named.path}>
                    <img src={api.scanUrl(path, { kind: 'thumb', size: 64 })} alt="" loading="lazy" />
                    <ScanName path={path} />
                  </span>
                )}
                {gone && (
                  <span className="hint" data-testid="example-gone">
                    file not found: left out when screening
                  </span>
                )}
                <button
                  type="button"
                  className="chip-x"
                  aria-label={`Remove ${named.text} from the examples`}
                  title="Remove from the examples"
                  disabled={examples.pending(path)}
                  onClick={() => {
                    setError(null);
                    examples.remove(path).catch((e: Error) => setError(e.message));
                  }}
                >
                  ✕
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
