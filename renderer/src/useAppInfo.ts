import { useEffect, useState } from 'react';
import { getApi, type AppInfo } from './api';

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string };

/** app.info from the main process, fetched once. */
export function useAppInfo(): Loadable<AppInfo> {
  const [info, setInfo] = useState<Loadable<AppInfo>>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    getApi()
      .call('app.info', {})
      .then(
        (value) => live && setInfo({ state: 'ready', value }),
        (error: unknown) =>
          live && setInfo({ state: 'error', message: error instanceof Error ? error.message : String(error) }),
      );
    return () => {
      live = false;
    };
  }, []);
  return info;
}
