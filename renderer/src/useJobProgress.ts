import { useEffect, useState } from 'react';
import { getApi } from './api';

export interface Progress {
  kind: string;
  done: number;
  total: number | null;
  message?: string;
}

/** The latest progress event of the given job kinds (e.g. catalog, demo). */
export function useJobProgress(kinds: string[]): Progress | null {
  const [progress, setProgress] = useState<Progress | null>(null);
  const key = kinds.join(',');
  useEffect(() => {
    const wanted = key.split(',');
    return getApi().on('job.progress', (p) => {
      if (wanted.includes(p.kind)) setProgress({ kind: p.kind, done: p.done, total: p.total, message: p.message });
    });
  }, [key]);
  return progress;
}
