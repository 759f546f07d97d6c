/**
 * Instances handed from the association that receives them (C-GET, C-MOVE) to the caller that consumes them, one
 * at a time. Each is answered (its C-STORE response) only once the caller has taken it and asked for the next, and
 * a DICOM sender waits for that answer before it sends another (no asynchronous operations are negotiated), so
 * memory holds about one instance however large the study. A sender that does not wait is refused: more than
 * `maxHeld` instances received and not yet taken ends the inbox with `tooMany()`.
 */
export class Inbox<T> {
  readonly #ready: { item: T; taken: () => void }[] = [];
  /** Arrived (being read, or ready) and not yet taken. */
  #held = 0;
  #wake: (() => void) | null = null;
  #end: { error: unknown } | null = null;

  constructor(
    private readonly maxHeld: number,
    private readonly tooMany: () => Error,
  ) {}

  /** An item is arriving (being read): it counts against the bound from now. False: refused, or the inbox ended. */
  arrive(): boolean {
    if (this.#end) return false;
    if (++this.#held > this.maxHeld) {
      this.end(this.tooMany());
      return false;
    }
    return true;
  }

  /** An arrived item, ready: resolves once the caller has taken it and asked for the next (or the inbox ended). */
  put(item: T): Promise<void> {
    if (this.#end) {
      this.#held--;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#ready.push({ item, taken: resolve });
      this.#signal();
    });
  }

  /** An arrived item that will not be put (it could not be read, or is not wanted). */
  drop(): void {
    this.#held--;
  }

  /** No more items: after those ready, the caller's iteration ends, or throws `error`. */
  end(error?: unknown): void {
    this.#end ??= { error };
    this.#signal();
  }

  get ended(): boolean {
    return this.#end !== null;
  }

  /**
   * The items as they come, each released to its sender when the next is asked for. A caller that stops instead
   * releases none: its sender is not told "stored" for an item nobody kept (the association is aborted).
   */
  async *take(): AsyncGenerator<T> {
    for (;;) {
      const next = this.#ready.shift();
      if (next) {
        yield next.item;
        this.#held--;
        next.taken();
        continue;
      }
      if (this.#end) {
        if (this.#end.error !== undefined) throw this.#end.error;
        return;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
