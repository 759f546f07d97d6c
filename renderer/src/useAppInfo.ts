import { useEffect, useState } from 'react';
import { getApi, type AppInfo } from './api';

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string };

/**
 * app.info from the main process: fetched at start, again whenever the model
 * changes state, and every few seconds until a model is reported (it may have
 * finished loading before this window subscribed to model.status).
 */
export function useAppInfo(): Loadable<AppInfo> {
  const [info, setInfo] = useState<Loadable<AppInfo>>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    let hasModel = false;
    const api = getApi();
    const refresh = () =>
      api.call('app.info', {}).then(
        (value) => {
          hasModel = !!value.model;
          if (live) setInfo({ state: 'ready', value });
        },
        (error: unknown) =>
          live && setInfo({ state: 'error', message: error instanceof Error ? error.message : String(error) }),
      );
    const off = api.on('model.status', () => void refresh());
    void refresh();
    const poll = setInterval(() => !hasModel && void refresh(), 4000);
    return () => {
      live = false;
      off();
      clearInterval(poll);
    };
  }, []);
  return info;
}
