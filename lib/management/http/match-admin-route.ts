import type { AdminRoute } from './admin-routes';
import { ADMIN_ROUTES } from './admin-routes';

/** The route a request is for, with its `{id}`; or why there is none. */
export type RouteMatch =
  | { readonly kind: 'route'; readonly route: AdminRoute; readonly id: string }
  | { readonly kind: 'not-found' }
  /** The path is served, but not with this method: `allow` lists those it is. */
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] };

const PATTERNS = ADMIN_ROUTES.map((route) => ({ route, segments: route.path.split('/').slice(1) }));

/**
 * Matches a path relative to the mount point (`/endpoints/ep_1/stats`, percent-encoded as it came; one
 * trailing slash is ignored) against the route table. `{id}` takes one segment, decoded.
 */
export function matchAdminRoute(method: string, path: string): RouteMatch {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (!trimmed.startsWith('/')) return { kind: 'not-found' };
  const segments = trimmed.split('/').slice(1);
  const allow = new Set<string>();
  for (const { route, segments: pattern } of PATTERNS) {
    const id = matchSegments(pattern, segments);
    if (id === undefined) continue;
    if (route.method === method.toUpperCase()) return { kind: 'route', route, id };
    allow.add(route.method);
  }
  return allow.size === 0 ? { kind: 'not-found' } : { kind: 'method-not-allowed', allow: [...allow].sort() };
}

/** The decoded `{id}` ('' for a pattern without one) when the segments match, else undefined. */
function matchSegments(pattern: readonly string[], segments: readonly string[]): string | undefined {
  if (pattern.length !== segments.length) return undefined;
  let id = '';
  for (let index = 0; index < pattern.length; index++) {
    const expected = pattern[index] as string;
    const actual = segments[index] as string;
    if (expected === '{id}') {
      const decoded = decodeSegment(actual);
      if (decoded === undefined || decoded === '') return undefined;
      id = decoded;
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return id;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
