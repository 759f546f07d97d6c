/**
 * Rendered scan:// images kept for a while: the viewer asks for the next scan of its list ahead of a step
 * (renderer/src/prefetch.ts), and the step then shows it without decoding and encoding again. One render per
 * request, even while another asks for the same (a prefetch and the step it was for). Bounded in bytes; a file
 * written again (a PACS cache refilled) is rendered anew.
 */
export interface Rendered {
  body: Uint8Array;
  contentType: string;
}

/** Which file, and which version of it: the open file's fstat (the scan protocol's ScanFile), not a stat by path. */
export interface FileVersion {
  path: string;
  size: number;
  mtimeMs: number;
}

/** About ten full-size radiographs as PNG (level 1: 2.5-7 MB each). */
const MAX_BYTES = 64 * 1024 * 1024;

export class RenderCache {
  /** In use order, oldest first: a hit moves to the end. */
  readonly #kept = new Map<string, Promise<Rendered | null>>();
  readonly #sizes = new Map<string, number>();
  #bytes = 0;

  constructor(private readonly maxBytes = MAX_BYTES) {}

  /** The render of `file` for `query`, kept or made now by `render` (a failure is not kept). */
  async get(
    file: FileVersion,
    query: URLSearchParams,
    render: () => Promise<Rendered | null>,
  ): Promise<Rendered | null> {
    const sorted = [...query].sort(([a], [b]) => a.localeCompare(b)).join('&');
    const key = `${file.mtimeMs}:${file.size}:${file.path}?${sorted}`;
    const kept = this.#kept.get(key);
    if (kept) {
      this.#kept.delete(key);
      this.#kept.set(key, kept);
      return kept;
    }
    const made = render();
    this.#kept.set(key, made);
    made.then(
      (out) => {
        if (this.#kept.get(key) !== made) return;
        if (!out || out.body.byteLength > this.maxBytes / 4) return this.#drop(key);
        this.#sizes.set(key, out.body.byteLength);
        this.#bytes += out.body.byteLength;
        for (const old of this.#kept.keys()) {
          if (this.#bytes <= this.maxBytes) break;
          if (old !== key && this.#sizes.has(old)) this.#drop(old);
        }
      },
      () => this.#kept.get(key) === made && this.#drop(key),
    );
    return made;
  }

  /** Bytes held (tests, memory checks). */
  get bytes(): number {
    return this.#bytes;
  }

  #drop(key: string): void {
    this.#kept.delete(key);
    this.#bytes -= this.#sizes.get(key) ?? 0;
    this.#sizes.delete(key);
  }
}
