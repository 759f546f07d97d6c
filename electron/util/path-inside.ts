/** Whether a path lies inside a folder, by the path alone (no disk): the one test of it, for every layer. */
import path from 'node:path';

/**
 * True when `child` is `root` itself or lies below it (both canonical): "..x" below `root` is inside; "..", "../x"
 * and another drive are not.
 */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  if (rel === '') return true;
  return rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel);
}
