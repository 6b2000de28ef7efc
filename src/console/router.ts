import { useEffect, useState } from 'preact/hooks';

/** The console's routes; every one is deep-linkable (alert links point into them). */
export type Route =
  | { page: 'overview' }
  | { page: 'service'; service: string }
  | { page: 'alerts' }
  | { page: 'alert'; id: string }
  | { page: 'incidents' }
  | { page: 'incident'; id: string }
  | { page: 'traces' }
  | { page: 'trace'; traceId: string }
  | { page: 'map' }
  | { page: 'logs' }
  | { page: 'storage' }
  | { page: 'missing'; path: string };

export function parseRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (parts.length === 0) return { page: 'overview' };
  if (first === 'services' && second && parts.length === 2)
    return { page: 'service', service: second };
  if (first === 'alerts' && parts.length === 1) return { page: 'alerts' };
  if (first === 'alerts' && second && parts.length === 2) return { page: 'alert', id: second };
  if (first === 'incidents' && parts.length === 1) return { page: 'incidents' };
  if (first === 'incidents' && second && parts.length === 2)
    return { page: 'incident', id: second };
  if (first === 'traces' && parts.length === 1) return { page: 'traces' };
  if (first === 'traces' && second && parts.length === 2) return { page: 'trace', traceId: second };
  if (first === 'map' && parts.length === 1) return { page: 'map' };
  if (first === 'logs' && parts.length === 1) return { page: 'logs' };
  if (first === 'storage' && parts.length === 1) return { page: 'storage' };
  return { page: 'missing', path };
}

/** Moves to a console URL without reloading the page. */
export function navigate(url: string): void {
  history.pushState(null, '', url);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** The current location (path and query), re-rendered on every navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const read = () => ({ path: location.pathname, query: new URLSearchParams(location.search) });
  const [current, setCurrent] = useState(read);
  useEffect(() => {
    const update = (): void => {
      setCurrent(read());
    };
    addEventListener('popstate', update);
    return () => {
      removeEventListener('popstate', update);
    };
  }, []);
  return current;
}

/** Same-page navigation for plain links (modifier clicks still open a new tab). */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.target as Element | null)?.closest('a');
  if (!anchor || anchor.origin !== location.origin || anchor.target) return;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}
