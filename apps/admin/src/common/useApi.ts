/** A GET of the admin API outside react-admin's data provider: for computed views (summaries, progress). */
import { useCallback, useEffect, useState } from 'react';

import { httpClient } from '../http.ts';

export interface ApiState<T> {
  data: T | null;
  /** True when the last request failed. */
  failed: boolean;
  /** Asks again now (after an action that changes the answer). */
  reload: () => void;
}

/**
 * GET `path` as the component mounts, again on `reload()`, and every `pollMilliseconds` when given.
 * Null `path`: nothing to ask yet.
 */
export function useApi<T>(path: string | null, pollMilliseconds?: number): ApiState<T> {
  const [data, setData] = useState<T | null>(null);
  const [failed, setFailed] = useState(false);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((current) => current + 1), []);
  useEffect(() => {
    if (path === null) {
      return undefined;
    }
    let stale = false;
    httpClient(path).then(
      ({ json }) => {
        if (!stale) {
          setData(json as T);
          setFailed(false);
        }
      },
      () => !stale && setFailed(true),
    );
    const timer = pollMilliseconds === undefined ? undefined : setTimeout(reload, pollMilliseconds);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [path, version, pollMilliseconds, reload]);
  return { data, failed, reload };
}
