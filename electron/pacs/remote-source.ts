/**
 * A query on an archive as a screening source: its instances one by one (never all in memory), each
 * keyed by the archive and its UIDs, fetched through the cache only when the index lacks it, and held
 * in the cache until it has been read.
 */
import { instanceKey, type PacsClient } from './client.js';
import { PacsError } from './errors.js';
import type { InstanceCache } from './instance-cache.js';
import type { InstanceRef, StudyQuery } from './query.js';

export interface PacsInstance {
  key: string;
  ref: InstanceRef;
}

export function pacsSource(client: PacsClient, cache: InstanceCache, query: StudyQuery, signal?: AbortSignal) {
  let cut: PacsError | null = null;
  // A listing the archive cut short (INCOMPLETE, thrown once what it listed is yielded) ends the iteration as
  // any other: the run indexes and commits what was listed, and says after that it was not all (`cut`).
  async function* instances(): AsyncGenerator<PacsInstance> {
    try {
      for await (const ref of client.queryInstances(query, signal)) yield { key: instanceKey(client.label, ref), ref };
    } catch (error) {
      if (!(error instanceof PacsError && error.code === 'INCOMPLETE')) throw error;
      cut = error;
    }
  }
  return {
    instances: instances(),
    /** Once the instances are walked: why the archive listed only part of what matches, or null. */
    cut(): PacsError | null {
      return cut;
    },
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
