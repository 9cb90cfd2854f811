import { WebhookAdminError } from '../../errors';
import { checkOptionsObject, describe } from '../../options';
import type { OptionScope } from '../../options';
import type { WebhookAdmin } from '../webhook-admin';
import { portalVerifier } from '../portal-token';
import type { OwnerScope } from '../webhook-admin-options';
import { adminDtos } from './dto/admin-dtos';

/**
 * What `authorize` decides: the owner the request acts for (`null`: the app's own endpoints and messages,
 * those without an owner); `undefined`: the caller is not authenticated (401 `unauthorized`); `false`:
 * authenticated, but not allowed here (403 `forbidden`).
 */
export type AdminAuthorization = OwnerScope | false | undefined;

/** The options every framework's management router takes; `R` is the framework's request. */
export interface AdminRouterOptions<R> {
  /**
   * Required: who is calling, decided by the app from its own authentication (a session, a bearer token,
   * `req.user` set by a guard or a passport strategy). It runs before every request's body is read, and
   * is the only source of the owner: nothing in the request's body or query can name one.
   *
   * Return the owner (a string, or `null` for the app's own scope); `undefined` answers 401
   * `unauthorized`, `false` answers 403 `forbidden`. Throwing a `WebhookAdminError('unauthorized' |
   * 'forbidden', message)` answers that status with your message; any other error is answered 500 and
   * reported to `onError`.
   */
  authorize: (request: R) => AdminAuthorization | Promise<AdminAuthorization>;
  /**
   * Told of every error answered 500 (a failing store, a bug, an `authorize` that throws or returns an
   * invalid owner); the answer itself says nothing of it. Default: the framework's logger
   * (`console.error` for Express, `request.log.error` for Fastify, Nest's `Logger`).
   */
  onError?: (error: unknown, request: R) => void;
  /** The `WWW-Authenticate` challenge a 401 carries, as RFC 9110 asks. Default: `'Bearer'`. */
  challenge?: string;
  /**
   * Serves the portal, the page an app gives its customers to manage their own webhooks: `GET {mount}/portal`
   * (its assets under `{mount}/portal/`, without authorization: they hold no data) and `GET
   * {mount}/portal/session`. A request whose `Authorization` is a portal token (`Bearer hsp_…`, from
   * `admin.portalToken()`) is then authorized by the token, for its owner and capabilities, instead of by
   * `authorize`. Needs the admin's `portalSecret`. Default: `false` (an `hsp_` token goes to `authorize`
   * like any other credential).
   */
  portal?: boolean;
}

/** The options once checked, with the framework's defaults applied. */
export interface ResolvedAdminRouterOptions<R> {
  readonly authorize: AdminRouterOptions<R>['authorize'];
  readonly onError: (error: unknown, request: R) => void;
  readonly challenge: string;
  readonly portal: boolean;
}

const OPTION_KEYS = Object.keys({
  authorize: true,
  onError: true,
  challenge: true,
  portal: true,
} satisfies Record<keyof AdminRouterOptions<unknown>, true>);

const ADMIN_METHODS = ['listEndpoints', 'createEndpoint', 'getMessage', 'eventTypes'] as const;

/**
 * Checks a router's arguments when the router is made, so that a missing `authorize` stops the app from
 * starting: the management API never runs unauthenticated. `extraKeys` are the adapter's own options.
 */
export function resolveAdminRouterOptions<R>(
  admin: unknown,
  options: unknown,
  where: string,
  defaultOnError: (error: unknown, request: R) => void,
  extraKeys: readonly string[] = [],
): ResolvedAdminRouterOptions<R> {
  const scope: OptionScope = { where, fail: (code, message) => new WebhookAdminError(code, message) };
  if (!isWebhookAdmin(admin)) {
    throw scope.fail(
      'invalid-option',
      `${where}: admin must be a WebhookAdmin (new WebhookAdmin(client)), got ${describe(admin)}.`,
    );
  }
  checkOptionsObject(options, [...OPTION_KEYS, ...extraKeys], scope, '{ authorize: (request) => ownerOf(request) }');
  const { authorize, onError, challenge, portal } = options;
  if (typeof authorize !== 'function') {
    throw scope.fail(
      'invalid-option',
      `${where}: authorize is required, and must be a function (request) => owner that decides from the app's own ` +
        `authentication whose endpoints and messages the request may see; got ${describe(authorize)}. The ` +
        'management API never runs without it.',
    );
  }
  if (onError !== undefined && typeof onError !== 'function') {
    throw scope.fail(
      'invalid-option',
      `${where}: onError must be a function (error, request) => void, got ${describe(onError)}.`,
    );
  }
  if (challenge !== undefined && (typeof challenge !== 'string' || challenge === '' || /[\r\n\0]/.test(challenge))) {
    throw scope.fail(
      'invalid-option',
      `${where}: challenge must be a WWW-Authenticate value such as 'Bearer', got ${describe(challenge)}.`,
    );
  }
  if (portal !== undefined && typeof portal !== 'boolean') {
    throw scope.fail('invalid-option', `${where}: portal must be true or false, got ${describe(portal)}.`);
  }
  if (portal === true && portalVerifier(admin) === undefined) {
    throw scope.fail(
      'invalid-option',
      `${where}: portal: true needs portal tokens, and the admin has no key to verify them with: ` +
        'new WebhookAdmin(client, { portalSecret: process.env.PORTAL_SECRET }) (at least 32 characters).',
    );
  }
  // Declared now, so that a missing reflect-metadata stops the app at startup rather than at the first request.
  adminDtos();
  return {
    authorize: authorize as AdminRouterOptions<R>['authorize'],
    onError: (onError as ResolvedAdminRouterOptions<R>['onError'] | undefined) ?? defaultOnError,
    challenge: (challenge as string | undefined) ?? 'Bearer',
    portal: portal === true,
  };
}

function isWebhookAdmin(admin: unknown): admin is WebhookAdmin {
  if (typeof admin !== 'object' || admin === null) return false;
  return ADMIN_METHODS.every((method) => typeof (admin as Record<string, unknown>)[method] === 'function');
}
