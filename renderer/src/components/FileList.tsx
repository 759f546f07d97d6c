import { useScanNames, useScanNaming } from '../scanNames';

/**
 * A collapsed list of files that were not used (unreadable or skipped), each with its reason when given; with
 * identifiers hidden, cut from both.
 */
export function FileList({
  summary,
  files,
  testId,
}: {
  summary: string;
  files: readonly { path: string; reason?: string }[];
  testId?: string;
}) {
  const naming = useScanNaming();
  const { hideText } = useScanNames();
  if (!files.length) return null;
  return (
    <details className="skipped" data-testid={testId}>
      <summary>{summary}</summary>
      <ul>
        {files.map((f) => (
          <li key={f.path}>
            <span className="path">{naming(f.path).path}</span>
            {f.reason ? ` — ${hideText(f.reason)}` : ''}
          </li>
        ))}
      </ul>
    </details>
  );
}
