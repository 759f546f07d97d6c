/**
 * A query on an archive as a screening source: its instances one by one (never all in memory), each
 * keyed by the archive and its UIDs, fetched through the cache only when the index lacks it, and held
 * in the cache until it has been read.
 */
import { instanceKey, type PacsClient } from './client.js';
import type { InstanceCache } from './instance-cache.js';
import type { InstanceRef, StudyQuery } from './query.js';

export interface PacsInstance {
  key: string;
  ref: InstanceRef;
}

export function pacsSource(client: PacsClient, cache: InstanceCache, query: StudyQuery, signal?: AbortSignal) {
  async function* instances(): AsyncGenerator<PacsInstance> {
    for await (const ref of client.queryInstances(query, signal)) yield { key: instanceKey(client.label, ref), ref };
  }
  return {
    instances: instances(),
    /** The instance's cached file, pinned until `release`. */
    fetch(item: { key: string }, fetchSignal?: AbortSignal): Promise<string> {
      const { ref } = item as PacsInstance;
      const retrieve = async () => (await client.retrieveInstance(ref, fetchSignal ?? signal)).bytes;
      return cache.fetch(client.label, ref, retrieve, true);
    },
    release(file: string): void {
      cache.unpin(file);
    },
  };
}
