/**
 * Maps an async stream with at most `limit` calls in flight, yielding results in input order: e.g.
 * downloads run ahead of the consumer while memory stays bounded by `limit` results.
 * `fn` should not throw (return failures as values); a throw ends the stream with that error.
 */
export async function* mapConcurrent<T, R>(
  input: AsyncIterable<T> | Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const iterator = (
    Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : (input as Iterable<T>)[Symbol.iterator]()
  ) as AsyncIterator<T> | Iterator<T>;
  const pending: Promise<R>[] = [];
  let done = false;
  const fill = async () => {
    while (!done && pending.length < Math.max(1, limit)) {
      const next = await iterator.next();
      if (next.done) done = true;
      else {
        const p = fn(next.value);
        p.catch(() => undefined); // awaited in order below; keep an early rejection from being "unhandled"
        pending.push(p);
      }
    }
  };
  try {
    await fill();
    while (pending.length) {
      const result = await pending.shift()!;
      await fill();
      yield result;
    }
  } finally {
    if (!done) await iterator.return?.();
  }
}
