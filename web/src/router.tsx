import { type MouseEvent, type ReactNode, useSyncExternalStore } from 'react';

/** '/dashboard/': every page lives under it, and the server answers index.html for any of them. */
const BASE = import.meta.env.BASE_URL;
const CHANGE = 'unirec:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

/** The page's path below the base, without leading slash: '', 'users/42', 'models'... and its query. */
export function useRoute(): { path: string; query: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search);
  const url = new URL(href, window.location.origin);
  const path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : url.pathname.replace(/^\//, '');
  return { path: path.replace(/\/$/, ''), query: url.searchParams };
}

export function navigate(to: string, replace = false): void {
  const url = BASE + to.replace(/^\//, '');
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new Event(CHANGE));
  if (!replace) window.scrollTo(0, 0);
}

/** A link inside the app: a real href (open in a new tab works), navigated without a reload. */
export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={BASE + to.replace(/^\//, '')} onClick={onClick} className={className}>
      {children}
    </a>
  );
}

/** Path segment of an id (ids may hold slashes, spaces...). */
export const seg = (id: string): string => encodeURIComponent(id);
