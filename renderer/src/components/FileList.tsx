/** A collapsed list of files that were not used (unreadable or skipped), each with its reason when given. */
export function FileList({
  summary,
  files,
  testId,
}: {
  summary: string;
  files: readonly { path: string; reason?: string }[];
  testId?: string;
}) {
  if (!files.length) return null;
  return (
    <details className="skipped" data-testid={testId}>
      <summary>{summary}</summary>
      <ul>
        {files.map((f) => (
          <li key={f.path}>
            <span className="path">{f.path}</span>
            {f.reason ? ` — ${f.reason}` : ''}
          </li>
        ))}
      </ul>
    </details>
  );
}
