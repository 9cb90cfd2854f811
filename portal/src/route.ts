/*
 * Views are addressed by the URL fragment (`#/endpoints/ep_1`), so the browser's back button and links
 * work and nothing of the navigation reaches the server. The token's own fragment is taken out first.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { readonly view: 'endpoints' }
  | { readonly view: 'endpoint-new' }
  | { readonly view: 'endpoint'; readonly id: string }
  | { readonly view: 'endpoint-edit'; readonly id: string }
  | { readonly view: 'messages'; readonly filters: URLSearchParams }
  | { readonly view: 'message'; readonly id: string }
  | { readonly view: 'event-types' }
  | { readonly view: 'guide' }
  | { readonly view: 'not-found' };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path
    .split('/')
    .filter((part) => part !== '')
    .map(decodeURIComponent);
  const [first, id, action] = parts;
  if (first === undefined || (first === 'endpoints' && id === undefined)) return { view: 'endpoints' };
  if (first === 'endpoints' && id === 'new' && action === undefined) return { view: 'endpoint-new' };
  if (first === 'endpoints' && id !== undefined && action === undefined) return { view: 'endpoint', id };
  if (first === 'endpoints' && id !== undefined && action === 'edit') return { view: 'endpoint-edit', id };
  if (first === 'messages' && id === undefined) return { view: 'messages', filters: new URLSearchParams(search) };
  if (first === 'messages' && id !== undefined && action === undefined) return { view: 'message', id };
  if (first === 'event-types' && id === undefined) return { view: 'event-types' };
  if (first === 'guide' && id === undefined) return { view: 'guide' };
  return { view: 'not-found' };
}

export function endpointHref(id: string): string {
  return `#/endpoints/${encodeURIComponent(id)}`;
}

export function messageHref(id: string): string {
  return `#/messages/${encodeURIComponent(id)}`;
}

export function messagesHref(filters: Readonly<Record<string, string | undefined>>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value !== undefined && value !== '') search.set(name, value);
  const text = search.toString();
  return text === '' ? '#/messages' : `#/messages?${text}`;
}

export function useRoute(): Route {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return parseRoute(hash);
}
