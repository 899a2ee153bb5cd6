import { useCallback, useEffect, useState } from 'react';

const KEY_STORAGE = 'unirec.apiKey';

/** The API key the dashboard sends (kept in this browser only); empty when the server has none. */
export function apiKey(): string {
  return window.localStorage.getItem(KEY_STORAGE) ?? '';
}

export function setApiKey(key: string): void {
  if (key) window.localStorage.setItem(KEY_STORAGE, key);
  else window.localStorage.removeItem(KEY_STORAGE);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A JSON request to the unirec API; a non-2xx answer throws its reason. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = apiKey();
  if (key) headers['x-api-key'] = key;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const message = (body as { message?: string } | undefined)?.message ?? `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, message);
  }
  return body as T;
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
  reload: () => Promise<T | undefined>;
}

/** GETs `path` when it changes; `reload` fetches again and resolves with the new data. */
export function useApi<T>(path: string | undefined): Loaded<T> {
  const [state, setState] = useState<{ path?: string; data?: T; error?: Error }>({});
  const load = useCallback(async (): Promise<T | undefined> => {
    if (!path) return undefined;
    try {
      const data = await api<T>(path);
      setState({ path, data });
      return data;
    } catch (error) {
      setState({ path, error: error as Error });
      return undefined;
    }
  }, [path]);
  useEffect(() => {
    void load();
  }, [load]);
  const current = state.path === path;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, loading: !current, reload: load };
}
