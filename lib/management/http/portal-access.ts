/*
 * Requests carrying a portal token (`Authorization: Bearer hsp_…`), when the router serves the portal:
 * the token, not the app's `authorize`, decides the owner and what the request may do. Each route of the
 * table names the capability it needs; a token without it is answered 403 naming it.
 */
import { WebhookAdminError } from '../../errors';
import { PORTAL_TOKEN_PREFIX, portalVerifier } from '../portal-token';
import type { PortalCapability, PortalSession } from '../portal-token';
import type { AdminResponse } from './admin-response';
import { jsonResponse, problemFromError, problemResponse } from './admin-response';
import type { AdminRoute } from './admin-routes';
import { isPortalPagePath, portalPage } from './portal-page';

export const PORTAL_SESSION_PATH = '/portal/session';

/** Who a request acts for, and (for a portal token) what it may do; no `capabilities`: anything (the app's `authorize` let it in). */
export interface AdminGrant {
  readonly owner: string | null;
  readonly capabilities?: readonly PortalCapability[];
}

/**
 * The portal's own paths, answered before the API's routes: the page and its assets (without
 * authorization) and the session (with a token). Undefined for any other path.
 */
export async function portalAnswer(
  admin: object,
  method: string,
  path: string,
  token: string | undefined,
  challenge: string,
  report: (error: unknown) => void,
): Promise<AdminResponse | undefined> {
  if (isPortalPagePath(path)) return portalPage(method, path, report);
  if (path === PORTAL_SESSION_PATH) return sessionAnswer(admin, method, token, challenge, report);
  return undefined;
}

/** The grant of a portal token for a route: its owner and capabilities, or the 401/403 that refuses it. */
export function portalGrant(
  admin: object,
  route: AdminRoute,
  token: string,
  challenge: string,
  report: (error: unknown) => void,
): AdminGrant | AdminResponse {
  const session = portalSession(admin, token, challenge, report);
  if (!('owner' in session)) return session;
  return capabilityRefusal(route, session) ?? { owner: session.owner, capabilities: session.capabilities };
}

/** The portal token of an `Authorization` header, if it carries one; any other credential is the app's. */
export function portalBearer(authorization: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  const token = match?.[1];
  return token !== undefined && token.startsWith(PORTAL_TOKEN_PREFIX) ? token : undefined;
}

/** The session a token grants, or the 401 that refuses it (never echoing the token). */
export function portalSession(
  admin: object,
  token: string,
  challenge: string,
  report: (error: unknown) => void,
): PortalSession | AdminResponse {
  const verify = portalVerifier(admin);
  if (verify === undefined) {
    // The app turned the portal on without a key: its fault, not the caller's.
    return problemFromError(
      new WebhookAdminError(
        'invalid-option',
        'The management API serves the portal, but its WebhookAdmin has no portalSecret to verify portal tokens ' +
          'with: new WebhookAdmin(client, { portalSecret }).',
      ),
      report,
    );
  }
  const session = verify(token);
  if (typeof session === 'object') return session;
  const detail =
    session === 'expired'
      ? 'The portal token has expired. Open the portal again from the app for a new link.'
      : 'The portal token is not valid (malformed, altered, or signed with another key). Open the portal again ' +
        'from the app for a new link.';
  return problemResponse(401, 'unauthorized', detail, { headers: { 'www-authenticate': challenge } });
}

/** The 403 for a route the session may not call; undefined when it may. */
export function capabilityRefusal(route: AdminRoute, session: PortalSession): AdminResponse | undefined {
  const line = `${route.method} ${route.path}`;
  if (route.capability === false) {
    return problemResponse(
      403,
      'forbidden',
      `${line} is not open to portal tokens: the app calls it with its own authorization.`,
    );
  }
  const needed: readonly PortalCapability[] =
    typeof route.capability === 'string' ? [route.capability] : route.capability;
  const missing = needed.filter((capability) => !session.capabilities.includes(capability));
  if (missing.length === 0) return undefined;
  const names = (list: readonly string[]) => list.map((name) => `'${name}'`).join(' and ');
  return problemResponse(
    403,
    'forbidden',
    `${line} needs the portal capabilit${needed.length > 1 ? 'ies' : 'y'} ${names(needed)}; this token lacks ` +
      `${names(missing)} (it has ${names(session.capabilities)}). Ask the app for a link that allows it.`,
  );
}

/** `GET /portal/session`: what the token grants, for the page to show only what it may do. */
export function sessionAnswer(
  admin: object,
  method: string,
  token: string | undefined,
  challenge: string,
  report: (error: unknown) => void,
): AdminResponse {
  if (method.toUpperCase() !== 'GET') {
    return problemResponse(
      405,
      'method-not-allowed',
      `${method.toUpperCase()} ${PORTAL_SESSION_PATH}: this path is served with GET only.`,
      { headers: { allow: 'GET' } },
    );
  }
  if (token === undefined) {
    return problemResponse(
      401,
      'unauthorized',
      `GET ${PORTAL_SESSION_PATH} needs a portal token: Authorization: Bearer hsp_… (from admin.portalToken()).`,
      { headers: { 'www-authenticate': challenge } },
    );
  }
  const session = portalSession(admin, token, challenge, report);
  if (!('owner' in session)) return session;
  return jsonResponse(200, {
    owner: session.owner,
    capabilities: session.capabilities,
    expiresAt: new Date(session.expiresAt).toISOString(),
  });
}

/**
 * A route's answer as the session may see it: without `view-secret`, the secret of a new endpoint is left
 * out (the endpoint is still created; the app can rotate the secret to show one later).
 */
export function visibleTo(result: unknown, capabilities: readonly PortalCapability[] | undefined): unknown {
  if (capabilities === undefined || capabilities.includes('view-secret')) return result;
  if (typeof result !== 'object' || result === null || !('secret' in result)) return result;
  return Object.fromEntries(Object.entries(result).filter(([key]) => key !== 'secret'));
}
