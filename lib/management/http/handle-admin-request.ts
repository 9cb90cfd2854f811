import { MAX_OWNER_LENGTH } from '../../client/owner';
import { WebhookAdminError } from '../../errors';
import { describe } from '../../options';
import type { WebhookAdmin } from '../webhook-admin';
import type { OwnerScope } from '../webhook-admin-options';
import type { AdminRoute } from './admin-routes';
import type { AdminResponse } from './admin-response';
import { jsonResponse, problemFromError, problemResponse } from './admin-response';
import { adminDtos } from './dto/admin-dtos';
import { matchAdminRoute } from './match-admin-route';
import type { RouteMatch } from './match-admin-route';
import { portalAnswer, portalBearer, portalGrant, visibleTo } from './portal-access';
import type { AdminGrant } from './portal-access';
import type { AdminQuery } from './read-dto';
import { bodyRequired, readBody, readQuery } from './read-dto';

/** What every management request carries. */
export interface AdminRequestTarget {
  /** `GET`, `POST`, `PATCH`, `DELETE`. */
  readonly method: string;
  /** The path relative to where the API is mounted, percent-encoded, without the query string: `/endpoints/ep_1`. */
  readonly path: string;
  /** The query string's parameters. Default: none. */
  readonly query?: AdminQuery;
  /** The parsed JSON body; `undefined` for none. */
  readonly body?: unknown;
}

/**
 * One management request: authorized by the app (`owner`), or, with the `portal` option, carrying a
 * portal token in `authorization` (`Bearer hsp_…`), which then decides the owner and what it may do.
 */
export type AdminRequest = AdminRequestTarget &
  (
    | {
        /** Whose endpoints and messages the request may see and change: what the app's authorization decided. */
        readonly owner: OwnerScope;
        /** The request's `Authorization` header. Default: none. */
        readonly authorization?: string;
      }
    | {
        readonly owner?: undefined;
        /**
         * The request's `Authorization` header, for a request the app did not authorize: with the `portal`
         * option, a portal token there lets it in; anything else (`''` for none) is answered 401.
         */
        readonly authorization: string;
      }
  );

export interface HandleAdminRequestOptions {
  /**
   * Told of every error answered 500 (its answer says nothing of it). Default: `console.error`.
   */
  onError?: (error: unknown) => void;
  /**
   * Serves the portal: its page at `/portal` (and assets, without authorization), `GET /portal/session`,
   * and requests whose `authorization` is a portal token (`Bearer hsp_…`, from `admin.portalToken()`), for
   * the token's owner and capabilities. Default: `false` (`authorization` is not read).
   */
  portal?: boolean;
}

const reportToConsole = (error: unknown): void => {
  console.error('hookspec: a management API request failed with an internal error:', error);
};

/**
 * Serves one request of the management API, whatever the framework: finds its route (404 `not-found`,
 * 405 `method-not-allowed` with `allow`), checks its query and body with the route's DTO classes (400
 * `invalid-request` with `errors` per field), calls `admin` for `owner`, and answers JSON, or an RFC 9457
 * `application/problem+json` body for a `WebhookAdminError`. Any other error is answered 500 without a
 * word of it, and handed to `onError`. It never rejects.
 *
 * The framework adapters (`webhookAdminRouter`, `webhookAdminRoutes`, `HookspecAdminModule`) call it after
 * `authorize`, reading the body with the API's limits; call it yourself to mount the API elsewhere.
 */
export async function handleAdminRequest(
  admin: WebhookAdmin,
  request: AdminRequest,
  options: HandleAdminRequestOptions = {},
): Promise<AdminResponse> {
  const report = options.onError ?? reportToConsole;
  const token = options.portal === true ? portalBearer(request.authorization) : undefined;
  if (options.portal === true) {
    const answer = await portalAnswer(admin, request.method, request.path, token, 'Bearer', report);
    if (answer !== undefined) return answer;
  }
  const match = matchAdminRoute(request.method, request.path);
  if (match.kind !== 'route') return routeMiss(request, match);
  if (token !== undefined) {
    const grant = portalGrant(admin, match.route, token, 'Bearer', report);
    if ('status' in grant) return grant;
    return serveAdminRoute(admin, match, grant, request.query ?? {}, request.body, report);
  }
  if (request.owner === undefined && typeof request.authorization === 'string') {
    // Neither the app (no owner) nor a portal token let the request in.
    return problemResponse(401, 'unauthorized', 'The request is not authenticated: no credentials were accepted.', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  if (!isOwnerScope(request.owner)) {
    // The caller's code decided the owner, not the client: a fault of the server, never a 4xx.
    const owner = describe(request.owner);
    return problemFromError(
      new WebhookAdminError(
        'invalid-option',
        `handleAdminRequest(admin, request): owner must be a non-empty string of at most ${MAX_OWNER_LENGTH} ` +
          `characters, or null for the app's own scope; got ${owner}.`,
      ),
      report,
    );
  }
  return serveAdminRoute(admin, match, { owner: request.owner }, request.query ?? {}, request.body, report);
}

/** The 404 or 405 of a request that matches no route. */
export function routeMiss(
  request: { readonly method: string; readonly path: string },
  match: Exclude<RouteMatch, { kind: 'route' }>,
): AdminResponse {
  return match.kind === 'not-found' ? notFound(request) : methodNotAllowed(request, match.allow);
}

/** A matched route called for the grant: the query and body checked with its DTOs, the answer as the grant may see it. */
export async function serveAdminRoute(
  admin: WebhookAdmin,
  { route, id }: Extract<RouteMatch, { kind: 'route' }>,
  grant: AdminGrant,
  rawQuery: AdminQuery,
  rawBody: unknown,
  report: (error: unknown) => void,
): Promise<AdminResponse> {
  try {
    const query = await readQuery(route.query, rawQuery);
    const body = await readRouteBody(route, rawBody);
    const result = await route.call({ admin, owner: grant.owner, id, query, body } as Parameters<
      AdminRoute['call']
    >[0]);
    return jsonResponse(route.status, visibleTo(result, grant.capabilities));
  } catch (error) {
    return problemFromError(error, report);
  }
}

/** An owner as authorization may decide it: a customer or account id, or null for the app's own scope. */
export function isOwnerScope(owner: unknown): owner is OwnerScope {
  return owner === null || (typeof owner === 'string' && owner !== '' && owner.length <= MAX_OWNER_LENGTH);
}

async function readRouteBody(route: AdminRoute, body: unknown): Promise<unknown> {
  if (route.body === undefined) {
    const empty = body === undefined || (isPlainObject(body) && Object.keys(body).length === 0);
    if (empty) return undefined;
    throw new WebhookAdminError(
      'invalid-request',
      `${route.method} ${route.path} takes no request body; send none (or {}).`,
      { details: [{ path: '', message: 'this route takes no body' }] },
    );
  }
  if (body !== undefined) return readBody(route.body, body);
  if (bodyRequired(route.body)) {
    throw new WebhookAdminError(
      'invalid-request',
      `${route.method} ${route.path} needs a JSON body (${adminDtos()[route.body].name}).`,
      { details: [{ path: '', message: 'the request has no body' }] },
    );
  }
  return readBody(route.body, {});
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request line as it may be echoed: a long path is cut, since it is the caller's input. */
function requestLine({ method, path }: { readonly method: string; readonly path: string }): string {
  return `${method.toUpperCase()} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}`;
}

function notFound(request: { readonly method: string; readonly path: string }): AdminResponse {
  return problemResponse(
    404,
    'not-found',
    `No management route is ${requestLine(request)}. The routes are those of the management API's OpenAPI ` +
      'document (buildAdminOpenApi), relative to where the app mounts it.',
  );
}

function methodNotAllowed(
  request: { readonly method: string; readonly path: string },
  allow: readonly string[],
): AdminResponse {
  return problemResponse(
    405,
    'method-not-allowed',
    `${requestLine(request)}: this path is served with ${allow.join(', ')} only.`,
    { headers: { allow: allow.join(', ') } },
  );
}
