/*
 * What every framework adapter runs per request, so that all of them answer alike: the portal's page is
 * served (with `portal`), the route is found, then the app's `authorize` (or a portal token, with `portal`)
 * decides the owner, then (only then) the body is read, with the API's media type, size and depth
 * limits, and the route is served as handleAdminRequest serves it. The adapters only translate their
 * request and response.
 */
import { WebhookAdminError } from '../../errors';
import { MAX_OWNER_LENGTH } from '../../client/owner';
import { findTooDeep, MAX_JSON_DEPTH } from '../../payload';
import { describe } from '../../options';
import type { WebhookAdmin } from '../webhook-admin';
import type { AdminResponse } from './admin-response';
import { problemFromError, problemResponse } from './admin-response';
import type { ResolvedAdminRouterOptions } from './admin-router-options';
import { isOwnerScope, routeMiss, serveAdminRoute } from './handle-admin-request';
import { readsBody } from './admin-routes';
import { matchAdminRoute } from './match-admin-route';
import { portalAnswer, portalBearer, portalGrant } from './portal-access';
import type { AdminGrant } from './portal-access';
import type { AdminQuery } from './read-dto';

/** The largest request body the management API reads: 1 MiB. */
export const ADMIN_BODY_LIMIT = 1024 * 1024;

/** A request's body, as an adapter found it. */
export type AdminBody =
  /** The bytes as sent (empty for none). */
  | { readonly kind: 'bytes'; readonly bytes: Buffer | string }
  /** A JSON body the app's own parser (`express.json()`, Nest's) has already parsed. */
  | { readonly kind: 'parsed'; readonly value: unknown }
  /** Longer than ADMIN_BODY_LIMIT. */
  | { readonly kind: 'too-large' };

/** One request, as an adapter hands it over. */
export interface IncomingAdminRequest<R> {
  /** The framework's request, for `authorize` and `onError`. */
  readonly request: R;
  readonly method: string;
  /** Path and query string relative to where the API is mounted, as sent: `/messages?limit=10`. */
  readonly url: string;
  readonly contentType: string | undefined;
  /** The `Authorization` header, read for a portal token when the router serves the portal. */
  readonly authorization: string | undefined;
  /** Reads the body; called only for a route that reads one (POST, PATCH), after `authorize`. */
  readonly readBody: () => Promise<AdminBody>;
  /** Drops a body that was not read (a refused request, a route that reads none) before the answer is sent. */
  readonly discardBody: () => Promise<void>;
}

export interface AdminHttpHandler<R> {
  handle(incoming: IncomingAdminRequest<R>): Promise<AdminResponse>;
}

export function createAdminHttpHandler<R>(
  admin: WebhookAdmin,
  options: ResolvedAdminRouterOptions<R>,
): AdminHttpHandler<R> {
  /** The answer; `readBody` is called only where the route reads a body and the request was authorized. */
  async function answer(
    { request, method, url, contentType, authorization }: IncomingAdminRequest<R>,
    readBody: () => Promise<AdminBody>,
  ): Promise<AdminResponse> {
    const report = (error: unknown) => options.onError(error, request);
    const { path, query } = splitUrl(url);
    const token = options.portal ? portalBearer(authorization) : undefined;
    if (options.portal) {
      const page = await portalAnswer(admin, method, path, token, options.challenge, report);
      if (page !== undefined) return page;
    }
    const match = matchAdminRoute(method, path);
    // An unknown route or method is answered (404, 405) before authorization: the routes are documented anyway.
    if (match.kind !== 'route') return routeMiss({ method, path }, match);
    const grant =
      token === undefined
        ? await authorizeRequest(request, options, report)
        : portalGrant(admin, match.route, token, options.challenge, report);
    if ('status' in grant) return grant;
    if (!readsBody(match.route)) return serveAdminRoute(admin, match, grant, query, undefined, report);
    let read: AdminBody;
    try {
      read = await readBody();
    } catch (error) {
      return problemResponse(400, 'invalid-request', `The request body could not be read (${messageOf(error)}).`);
    }
    const parsed = parseBody(read, contentType);
    if ('problem' in parsed) return parsed.problem;
    return serveAdminRoute(admin, match, grant, query, parsed.value, report);
  }

  return {
    async handle(incoming) {
      let read = false;
      const response = await answer(incoming, () => {
        read = true;
        return incoming.readBody();
      });
      // A body nobody read (a refused request, a GET with one) is dropped before the answer goes.
      if (!read) await incoming.discardBody();
      return response;
    },
  };
}

/** The owner `authorize` decided, or the answer that refuses the request. */
async function authorizeRequest<R>(
  request: R,
  options: ResolvedAdminRouterOptions<R>,
  report: (error: unknown) => void,
): Promise<AdminGrant | AdminResponse> {
  let decided: unknown;
  try {
    decided = await options.authorize(request);
  } catch (error) {
    return withChallenge(problemFromError(error, report), options.challenge);
  }
  if (decided === undefined) {
    return withChallenge(
      problemResponse(401, 'unauthorized', 'The request is not authenticated: no credentials were accepted.'),
      options.challenge,
    );
  }
  if (decided === false) {
    return problemResponse(403, 'forbidden', 'The caller is not allowed to manage webhooks.');
  }
  if (isOwnerScope(decided)) return { owner: decided };
  return problemFromError(
    new WebhookAdminError(
      'invalid-option',
      `authorize returned ${describe(decided)}; it must return the owner (a non-empty string of at most ` +
        `${MAX_OWNER_LENGTH} characters, or null for the app's own scope), undefined (401) or false (403).`,
    ),
    report,
  );
}

function withChallenge(response: AdminResponse, challenge: string): AdminResponse {
  if (response.status !== 401) return response;
  return { ...response, headers: { ...response.headers, 'www-authenticate': challenge } };
}

/** The answer to a body over ADMIN_BODY_LIMIT, for adapters whose framework reads the body itself. */
export function payloadTooLarge(): AdminResponse {
  return problemResponse(
    413,
    'payload-too-large',
    `The request body is larger than the management API accepts (${ADMIN_BODY_LIMIT} bytes).`,
  );
}

/** The JSON value of a body, or the answer that refuses it. */
function parseBody(read: AdminBody, contentType: string | undefined): { value: unknown } | { problem: AdminResponse } {
  if (read.kind === 'too-large') return { problem: payloadTooLarge() };
  const empty = read.kind === 'bytes' ? Buffer.byteLength(read.bytes) === 0 : read.value === undefined;
  if (empty) return { value: undefined };
  if (!isJsonMediaType(contentType)) {
    return {
      problem: problemResponse(
        415,
        'unsupported-media-type',
        `The request body must be JSON, sent with content-type: application/json; got ${contentType === undefined ? 'no content-type' : JSON.stringify(contentType.slice(0, 100))}.`,
      ),
    };
  }
  let value: unknown;
  if (read.kind === 'parsed') {
    value = read.value;
  } else {
    try {
      value = JSON.parse(read.bytes.toString());
    } catch (error) {
      return {
        problem: problemResponse(400, 'invalid-request', `The request body is not valid JSON: ${messageOf(error)}`),
      };
    }
  }
  const tooDeep = findTooDeep(value);
  if (tooDeep !== undefined) {
    return {
      problem: problemResponse(
        400,
        'invalid-request',
        `The request body nests deeper than ${MAX_JSON_DEPTH} levels (at ${tooDeep}).`,
      ),
    };
  }
  return { value };
}

/** `application/json` or a `+json` type, in UTF-8 (JSON's only encoding on the wire, RFC 8259). */
function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type ?? '')) return false;
  const charset = parameters.find((parameter) => parameter.startsWith('charset='));
  return charset === undefined || /^charset="?utf-8"?$/.test(charset);
}

/** Path and query parameters of a request target relative to the mount point. */
export function splitUrl(url: string): { path: string; query: AdminQuery } {
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  // A Map, then own properties: a parameter named __proto__ is a key like any other (and refused as unknown).
  const values = new Map<string, string[]>();
  if (mark !== -1) {
    for (const [key, value] of new URLSearchParams(url.slice(mark + 1)))
      values.set(key, [...(values.get(key) ?? []), value]);
  }
  return { path: path === '' ? '/' : path, query: Object.fromEntries(values) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
