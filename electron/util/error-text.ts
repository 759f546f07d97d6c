/**
 * Error text without paths. Node's fs errors name the path in their message ("EACCES: permission
 * denied, opendir '/scans/Doe^Jane'"), and folders are often named after their patient: a reason kept
 * in a catalog or an index, or a line in a log, says what went wrong without them.
 */

/** "permission denied (EACCES)" from a system error's code and libuv's wording; null when it has no code. */
export function systemErrorReason(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return null;
  // libuv's message is "CODE: description, syscall 'path'": the description names no path.
  const message = error instanceof Error ? error.message : '';
  const description = message.startsWith(`${code}: `) ? /^[^,']+/.exec(message.slice(code.length + 2))?.[0] : null;
  return description ? `${description.trim()} (${code})` : code;
}

/**
 * An error for a log: its code (a system error's, or a coded error's) and message, with the paths it and its
 * causes carry (`path`, `dest`) and their last parts replaced by <path>.
 */
export function loggableError(error: unknown): string {
  const paths = new Set<string>();
  let cause: unknown = error;
  for (let depth = 0; cause && typeof cause === 'object' && depth < 8; depth++) {
    for (const key of ['path', 'dest'] as const) {
      const value = (cause as Record<string, unknown>)[key];
      if (typeof value === 'string' && value) paths.add(value);
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  const code = (error as { code?: unknown } | null)?.code;
  let text = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && !text.startsWith(code)) text = `${code}: ${text}`;
  // Longest first, so a path is cut whole before its last part is looked for.
  const parts = [...paths, ...[...paths].map(lastPart)].filter((p) => p.length > 1);
  for (const part of parts.sort((a, b) => b.length - a.length)) text = text.split(part).join('<path>');
  return text;
}

function lastPart(p: string): string {
  return p.split(/[\\/]/).filter(Boolean).pop() ?? p;
}
