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
    async fetch(item: { key: string }, fetchSignal?: AbortSignal): Promise<string> {
      const { ref } = item as PacsInstance;
      // Pinned before it is looked up or written: another put's eviction must not take it in between.
      const file = cache.pathFor(client.label, ref);
      cache.pin(file);
      try {
        if (await cache.get(client.label, ref)) return file;
        const got = await client.retrieveInstance(ref, fetchSignal ?? signal);
        return await cache.put(client.label, ref, got.bytes);
      } catch (error) {
        cache.unpin(file);
        throw error;
      }
    },
    release(file: string): void {
      cache.unpin(file);
    },
  };
}
