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
import type { AdminQuery } from './read-dto';
import { bodyRequired, readBody, readQuery } from './read-dto';

/** One management request, once the app has authorized it. */
export interface AdminRequest {
  /** `GET`, `POST`, `PATCH`, `DELETE`. */
  readonly method: string;
  /** The path relative to where the API is mounted, percent-encoded, without the query string: `/endpoints/ep_1`. */
  readonly path: string;
  /** The query string's parameters. Default: none. */
  readonly query?: AdminQuery;
  /** The parsed JSON body; `undefined` for none. */
  readonly body?: unknown;
  /** Whose endpoints and messages the request may see and change: what the app's authorization decided. */
  readonly owner: OwnerScope;
}

export interface HandleAdminRequestOptions {
  /**
   * Told of every error answered 500 (its answer says nothing of it). Default: `console.error`.
   */
  onError?: (error: unknown) => void;
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
  const match = matchAdminRoute(request.method, request.path);
  if (match.kind === 'not-found') return notFound(request);
  if (match.kind === 'method-not-allowed') return methodNotAllowed(request, match.allow);
  const { route, id } = match;
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
  try {
    const query = await readQuery(route.query, request.query ?? {});
    const body = await readRouteBody(route, request.body);
    const result = await route.call({ admin, owner: request.owner, id, query, body } as Parameters<
      AdminRoute['call']
    >[0]);
    return jsonResponse(route.status, result);
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
function requestLine({ method, path }: AdminRequest): string {
  return `${method.toUpperCase()} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}`;
}

function notFound(request: AdminRequest): AdminResponse {
  return problemResponse(
    404,
    'not-found',
    `No management route is ${requestLine(request)}. The routes are those of the management API's OpenAPI ` +
      'document (buildAdminOpenApi), relative to where the app mounts it.',
  );
}

function methodNotAllowed(request: AdminRequest, allow: readonly string[]): AdminResponse {
  return problemResponse(
    405,
    'method-not-allowed',
    `${requestLine(request)}: this path is served with ${allow.join(', ')} only.`,
    { headers: { allow: allow.join(', ') } },
  );
}
