/**
 * The external-data files an ONNX graph names: a tower over 2 GiB keeps its weights in files beside the graph
 * (TensorProto.external_data, key `location`), so two fine-tunes can share one byte-identical graph file. Reads
 * only the protobuf fields that lead to a tensor's external_data — the graph's initializers, its nodes' tensor
 * attributes and subgraphs, functions and training graphs — with positional reads, so that the weights of a graph
 * that keeps them inline are skipped, not read. Async reads only: it runs in the encoder worker at every load.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { ModelError } from './errors.js';

/** Bytes read at a time: tags and lengths, never a tensor's inline data. */
const WINDOW = 64 * 1024;
/** Protobuf's own limit on nesting; a deeper graph is not one onnxruntime reads either. */
const MAX_DEPTH = 100;

/** Field numbers (onnx.proto) of the messages on the way to a tensor, each with what its payload is. */
type Kind = 'model' | 'graph' | 'node' | 'attribute' | 'function' | 'training' | 'sparse' | 'tensor';
const CHILDREN: Record<Exclude<Kind, 'tensor'>, Record<number, Kind>> = {
  model: { 7: 'graph', 20: 'training', 25: 'function' },
  graph: { 1: 'node', 5: 'tensor', 15: 'sparse' },
  node: { 5: 'attribute' },
  attribute: { 5: 'tensor', 6: 'graph', 10: 'tensor', 11: 'graph', 22: 'sparse', 23: 'sparse' },
  function: { 7: 'node' },
  training: { 1: 'graph', 2: 'graph' },
  sparse: { 1: 'tensor', 2: 'tensor' },
};
const TENSOR_EXTERNAL_DATA = 13;

class Malformed extends Error {}

/** A length-delimited field (a message or string; the only kind that can lead to a location): its payload. */
interface Field {
  number: number;
  start: number;
  end: number;
}

class ProtoFile {
  #window = Buffer.alloc(0);
  #windowAt = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  async bytes(at: number, length: number): Promise<Buffer> {
    if (at + length > this.size) throw new Malformed('ends early');
    if (at < this.#windowAt || at + length > this.#windowAt + this.#window.length) {
      const want = Math.min(Math.max(length, WINDOW), this.size - at);
      const buffer = Buffer.alloc(want);
      const { bytesRead } = await this.handle.read(buffer, 0, want, at);
      this.#window = buffer.subarray(0, bytesRead);
      this.#windowAt = at;
      if (bytesRead < length) throw new Malformed('ends early');
    }
    return this.#window.subarray(at - this.#windowAt, at - this.#windowAt + length);
  }

  /** A varint at `at` within `end`: its value and where the next byte is. */
  async varint(at: number, end: number): Promise<[number, number]> {
    const bytes = await this.bytes(at, Math.min(10, end - at));
    let value = 0;
    for (let i = 0; i < bytes.length; i++) {
      value += (bytes[i]! & 0x7f) * 2 ** (7 * i);
      if (bytes[i]! < 0x80) return [value, at + i + 1];
    }
    throw new Malformed('a varint runs past its message');
  }

  async *fields(start: number, end: number): AsyncGenerator<Field> {
    let at = start;
    while (at < end) {
      const [tag, next] = await this.varint(at, end);
      const number = Math.floor(tag / 8);
      at = next;
      switch (tag % 8) {
        case 0:
          at = (await this.varint(at, end))[1];
          break;
        case 1:
          at += 8;
          break;
        case 5:
          at += 4;
          break;
        case 2: {
          const [length, payload] = await this.varint(at, end);
          at = payload + length;
          if (at > end) throw new Malformed('a field runs past its message');
          yield { number, start: payload, end: at };
          break;
        }
        default:
          throw new Malformed(`wire type ${tag % 8}`);
      }
    }
    if (at !== end) throw new Malformed('a field runs past its message');
  }
}

/** The `location` of every external-data entry in `file`, each once, in the order the graph names them. */
export async function externalDataLocations(file: string): Promise<string[]> {
  const handle = await open(file, 'r');
  try {
    const proto = new ProtoFile(handle, (await handle.stat()).size);
    const found = new Set<string>();
    await walk(proto, 'model', 0, proto.size, 0, found);
    return [...found];
  } catch (error) {
    if (!(error instanceof Malformed)) throw error;
    throw new ModelError('BAD_MODEL', `${file} is not a readable ONNX model (${error.message}); export it again`);
  } finally {
    await handle.close();
  }
}

async function walk(proto: ProtoFile, kind: Kind, start: number, end: number, depth: number, found: Set<string>) {
  if (depth > MAX_DEPTH) throw new Malformed('nested too deeply');
  for await (const field of proto.fields(start, end)) {
    if (kind === 'tensor') {
      if (field.number !== TENSOR_EXTERNAL_DATA) continue;
      const entry = await keyValue(proto, field);
      if (entry.key === 'location') found.add(entry.value);
      continue;
    }
    const child = CHILDREN[kind][field.number];
    if (child) await walk(proto, child, field.start, field.end, depth + 1, found);
  }
}

/** A StringStringEntryProto: key = 1, value = 2. */
async function keyValue(proto: ProtoFile, field: Field): Promise<{ key: string; value: string }> {
  const entry = { key: '', value: '' };
  for await (const f of proto.fields(field.start, field.end)) {
    if (f.number !== 1 && f.number !== 2) continue;
    const text = (await proto.bytes(f.start, f.end - f.start)).toString('utf8');
    if (f.number === 1) entry.key = text;
    else entry.value = text;
  }
  return entry;
}
