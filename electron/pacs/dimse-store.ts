/**
 * What an incoming C-STORE (a C-GET's or a C-MOVE's sub-operation) carries, collected as dcmjs-dimse receives it,
 * as the Part 10 file the archive sent: the dataset's bytes as they came behind a meta header. dcmjs-dimse would
 * otherwise parse every dataset into objects (memory several times the instance) and re-encode it on writing
 * (which can change what the archive sent). Collecting stops past MAX_INSTANCE_BYTES: the instance is refused,
 * never held whole.
 *
 * The hooks are dcmjs-dimse's own (Network.createStoreWritableStream / createDatasetFromStoreWritableStream, meant
 * for streaming large instances); the storage SCP of a C-MOVE overrides them as a subclass, a C-GET's client
 * through the network it opens.
 */
import { Writable } from 'node:stream';
import dimse from 'dcmjs-dimse';
import { isUid } from './dicom-json.js';
import { PacsError } from './errors.js';
import { MAX_INSTANCE_BYTES, tooLarge } from './limits.js';
import { part10Header } from './part10-meta.js';

type Dataset = InstanceType<typeof dimse.Dataset>;
type StoreRequest = InstanceType<typeof dimse.requests.CStoreRequest>;
type Context = { getAcceptedTransferSyntaxUid(): string | undefined };

/** The two hooks, as dcmjs-dimse's Network (a client's, or an SCP's) calls them. */
export interface StoreHooks {
  createStoreWritableStream(context: Context, request: StoreRequest): Writable;
  createDatasetFromStoreWritableStream(writable: Writable, context: Context, callback: (d: Dataset) => void): void;
}

/** A dataset's fragments, kept as they arrive until the last one, or dropped past the bound. */
class Collector extends Writable {
  chunks: Buffer[] = [];
  size = 0;
  tooLarge = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onTooLarge: () => void,
  ) {
    super();
  }

  // Synchronous, as dcmjs-dimse needs: it reads what was collected right after its last write.
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.tooLarge) {
      this.size += chunk.length;
      if (this.size > this.maxBytes) {
        this.tooLarge = true;
        this.chunks = [];
        this.onTooLarge();
      } else this.chunks.push(chunk);
    }
    callback();
  }
}

/** What a collected C-STORE became: the file, or why it was refused. Keyed by the stand-in dataset dcmjs-dimse passes on. */
const collected = new WeakMap<Dataset, { chunks: Buffer[]; transferSyntaxUID: string } | { tooLarge: true }>();

/**
 * Hooks that collect each C-STORE's dataset whole (up to `maxBytes`); `onTooLarge` is told at once when one
 * passes it (to stop the association rather than receive the rest).
 */
export function storeHooks(onTooLarge: () => void, maxBytes = MAX_INSTANCE_BYTES): StoreHooks {
  return {
    createStoreWritableStream: () => new Collector(maxBytes, onTooLarge),
    createDatasetFromStoreWritableStream(writable, context, callback) {
      const c = writable as Collector;
      const transferSyntaxUID = context.getAcceptedTransferSyntaxUid() ?? '';
      // A stand-in: the bytes stay with RadSift, not in a dataset dcmjs-dimse would parse.
      const standIn = new dimse.Dataset({}, transferSyntaxUID);
      collected.set(standIn, c.tooLarge ? { tooLarge: true } : { chunks: c.chunks, transferSyntaxUID });
      c.chunks = [];
      callback(standIn);
    },
  };
}

/** Installs the hooks on a client's network (a C-GET receives its instances there). */
export function installStoreHooks(client: InstanceType<typeof dimse.Client>, hooks: StoreHooks): void {
  // dcmjs-dimse opens the network in send() and names it `network`; data arrives only after "connected".
  const network = (client as unknown as { network?: StoreHooks }).network;
  if (!network) throw new Error('dcmjs-dimse: the client has no network to receive on');
  network.createStoreWritableStream = hooks.createStoreWritableStream;
  network.createDatasetFromStoreWritableStream = hooks.createDatasetFromStoreWritableStream;
}

/**
 * A received C-STORE as a Part 10 file, its meta header from the request (SOP class and instance) and the
 * negotiated transfer syntax. PROTOCOL when it was too large or names no UIDs; null when the hooks did not collect
 * it (a dataset dcmjs-dimse parsed itself).
 */
export function storedFile(request: StoreRequest, source: string, maxBytes = MAX_INSTANCE_BYTES): Buffer | null {
  const dataset = request.getDataset() as Dataset;
  const got = collected.get(dataset);
  if (!got) return null;
  // Read once: the chunks must not outlive the file made of them (the request lives until it is answered).
  collected.delete(dataset);
  if ('tooLarge' in got) throw tooLarge(source, maxBytes);
  const sopClassUID = request.getAffectedSopClassUid()?.trim() ?? '';
  const sopInstanceUID = request.getAffectedSopInstanceUid()?.trim() ?? '';
  if (![sopClassUID, sopInstanceUID, got.transferSyntaxUID].every(isUid))
    throw new PacsError('PROTOCOL', `${source}: an instance was sent whose UIDs are not DICOM UIDs`);
  const header = part10Header({
    sopClassUID,
    sopInstanceUID,
    transferSyntaxUID: got.transferSyntaxUID,
    implementationClassUID: dimse.Implementation.getImplementationClassUid(),
    implementationVersion: dimse.Implementation.getImplementationVersion(),
  });
  return Buffer.concat([header, ...got.chunks]);
}
