import { useEffect, useState } from 'react';
import { getApi, type EventPayload } from './api';

/** A `job.progress` event, exactly as the contract declares it. */
export type Progress = EventPayload<'job.progress'>;

/** The latest progress event of the given job kinds (e.g. catalog, demo). */
export function useJobProgress(kinds: string[]): Progress | null {
  const [progress, setProgress] = useState<Progress | null>(null);
  const key = kinds.join(',');
  useEffect(() => {
    const wanted = key.split(',');
    return getApi().on('job.progress', (p) => {
      if (wanted.includes(p.kind)) setProgress(p);
    });
  }, [key]);
  return progress;
}
