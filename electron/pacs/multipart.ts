/**
 * A streaming multipart/related reader (RFC 2046 §5.1, as WADO-RS uses it): parts come out one at a
 * time as they complete, so a study of any size needs the memory of one instance. A part is only ever
 * yielded whole; a body that ends before its closing delimiter is an INTERRUPTED error, never a
 * truncated part. A part is bounded (MAX_INSTANCE_BYTES unless told), and so is the number of parts: one
 * that declares a larger Content-Length is refused before a byte of it is read, one without a length as
 * soon as it passes the bound. A part that declares its length (as Orthanc's do) is copied into a buffer of that
 * size as its bytes arrive, so it takes its own size and no more; one without a length is gathered and joined once
 * complete (up to twice its size).
 */
import { PacsError } from './errors.js';
import { MAX_INSTANCE_BYTES, tooLarge } from './limits.js';

export interface Part {
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface MultipartOptions {
  /** A part larger than this is refused (default MAX_INSTANCE_BYTES, 1 GiB). */
  maxPartBytes?: number;
  /** More parts than this in one answer is refused (default: no bound; one instance asked for: 1). */
  maxParts?: number;
  /** Shown in messages. */
  source?: string;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 64 * 1024;
/**
 * A part declaring up to this many bytes gets a buffer of that size at once: its bytes are copied there as they
 * arrive, and the socket's chunks are let go at once. A larger declared part is gathered as it arrives, as one
 * without a length is, so that a length a server announces but does not send never reserves more than this.
 */
const PREALLOCATED_PART_BYTES = 64 * 1024 * 1024;

/** The boundary parameter of a multipart Content-Type, or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]!) : null;
}

/** A parameter of a media type (e.g. transfer-syntax of application/dicom), or null. */
export function mediaTypeParameter(contentType: string | undefined, name: string): string | null {
  if (!contentType) return null;
  const m = new RegExp(`;\\s*${name}=(?:"([^"]+)"|([^;\\s]+))`, 'i').exec(contentType);
  return m ? (m[1] ?? m[2]!) : null;
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export async function* readMultipart(
  body: AsyncIterable<Buffer | Uint8Array | string>,
  boundary: string,
  options: MultipartOptions = {},
): AsyncGenerator<Part> {
  const source = options.source ?? 'multipart answer';
  const maxPart = options.maxPartBytes ?? MAX_INSTANCE_BYTES;
  const maxParts = options.maxParts ?? Infinity;
  let parts = 0;
  const dash = Buffer.from(`--${boundary}`);
  // Between parts the delimiter is preceded by CRLF, which belongs to it, not to the body.
  const delimiter = Buffer.concat([CRLF, dash]);
  // `buf` holds bytes not yet consumed. A body's bytes leave it as they arrive: copied into `partBody` when the part
  // declared its length (one copy, and the chunk is free at once), else kept in `bodyChunks` and joined once.
  let buf: Buffer = Buffer.alloc(0);
  let state: 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done' = 'preamble';
  let headers: Record<string, string> = {};
  let declared = -1;
  let partBody: Buffer | null = null;
  let bodyChunks: Buffer[] = [];
  let bodyLength = 0;
  let epilogue = 0;
  const malformed = (why: string) => new PacsError('PROTOCOL', `${source}: malformed multipart body (${why})`);
  const take = (n: number) => {
    if (n <= 0) return;
    if (partBody) buf.copy(partBody, bodyLength, 0, n);
    else bodyChunks.push(buf.subarray(0, n));
    bodyLength += n;
    buf = buf.subarray(n);
    if (bodyLength > maxPart) throw tooLarge(source, maxPart);
  };
  /**
   * In a body without a length, `buf` keeps the last bytes of a chunk (fewer than a delimiter) in case a delimiter
   * starts there. When the next chunk shows that none does, they are body: taken, so that the chunk is scanned where
   * it lies rather than copied behind them.
   */
  const carriedIsBody = (next: Buffer) => {
    // A delimiter starting in the carried bytes ends within the next chunk's first delimiter.length - 1 bytes:
    // a shorter chunk cannot tell.
    if (next.length < delimiter.length - 1) return false;
    const joint = Buffer.concat([buf, next.subarray(0, delimiter.length - 1)]);
    const at = joint.indexOf(delimiter);
    return at < 0 || at >= buf.length;
  };

  for await (const chunk of body) {
    const bytes =
      typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    if (state === 'done') {
      // The epilogue (usually a CRLF) is read to the end, not cut off: an answer read whole leaves its kept-alive
      // connection for the next request. One that runs on is cut.
      epilogue += bytes.length;
      if (epilogue > MAX_HEADER_BYTES) break;
      continue;
    }
    if (buf.length && state === 'body' && declared < 0 && buf.length < delimiter.length && carriedIsBody(bytes))
      take(buf.length);
    buf = buf.length ? Buffer.concat([buf, bytes]) : bytes;
    for (;;) {
      if (state === 'preamble') {
        // The first delimiter may open the body without a CRLF before it.
        const at = buf.indexOf(dash);
        if (at < 0) {
          if (buf.length > MAX_HEADER_BYTES) throw malformed('no boundary found');
          break;
        }
        buf = buf.subarray(at + dash.length);
        state = 'after-delimiter';
      }
      if (state === 'after-delimiter') {
        if (buf.length < 2) break;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          state = 'done';
          break;
        }
        // Transport padding (spaces/tabs) may follow a delimiter before its CRLF.
        const eol = buf.indexOf(CRLF);
        if (eol < 0) {
          if (buf.length > 1024) throw malformed('delimiter line without an end');
          break;
        }
        if (buf.subarray(0, eol).toString('latin1').trim() !== '') throw malformed('text after a delimiter');
        buf = buf.subarray(eol + 2);
        state = 'headers';
      }
      if (state === 'headers') {
        // A part without headers starts right away with the blank line.
        if (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) {
          headers = {};
          buf = buf.subarray(2);
        } else {
          const end = buf.indexOf(HEADER_END);
          if (end < 0) {
            if (buf.length > MAX_HEADER_BYTES) throw malformed('part headers too long');
            break;
          }
          headers = parseHeaders(buf.subarray(0, end).toString('latin1'));
          buf = buf.subarray(end + 4);
        }
        const length = headers['content-length'] !== undefined ? Number(headers['content-length']) : NaN;
        declared = Number.isInteger(length) && length >= 0 ? length : -1;
        if (declared > maxPart) throw tooLarge(source, maxPart, declared);
        if (++parts > maxParts)
          throw new PacsError(
            'PROTOCOL',
            `${source}: more than ${maxParts} part${maxParts === 1 ? '' : 's'} in one answer`,
          );
        partBody = declared >= 0 && declared <= PREALLOCATED_PART_BYTES ? Buffer.allocUnsafeSlow(declared) : null;
        bodyChunks = [];
        bodyLength = 0;
        state = 'body';
      }
      if (state === 'body') {
        if (declared >= 0) {
          take(Math.min(buf.length, declared - bodyLength));
          if (bodyLength < declared || buf.length < delimiter.length) break;
          if (!buf.subarray(0, delimiter.length).equals(delimiter))
            throw malformed('a part longer than its Content-Length');
        } else {
          const end = buf.indexOf(delimiter);
          if (end < 0) {
            // Keep what could be the start of a delimiter split across chunks.
            take(buf.length - (delimiter.length - 1));
            break;
          }
          take(end);
        }
        const part: Part = { headers, body: partBody ?? Buffer.concat(bodyChunks, bodyLength) };
        partBody = null;
        bodyChunks = [];
        buf = buf.subarray(delimiter.length);
        state = 'after-delimiter';
        yield part;
      }
    }
    if (state === 'done') epilogue = buf.length;
  }
  if (state !== 'done')
    throw new PacsError('INTERRUPTED', `${source}: the answer ended before its last part was complete`);
}
