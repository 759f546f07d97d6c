/**
 * Seconds per call of `fn`, after one untimed warm-up call (JIT, kernel compilation,
 * allocation), over at least `minReps` calls and `minSeconds`.
 */
export async function timed(fn: () => Promise<unknown>, minSeconds = 1.5, minReps = 3): Promise<number> {
  await fn();
  let reps = 0;
  const start = performance.now();
  while (reps < minReps || performance.now() - start < minSeconds * 1000) {
    await fn();
    reps++;
  }
  return (performance.now() - start) / 1000 / reps;
}
