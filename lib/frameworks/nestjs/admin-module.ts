import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebhookAdminError } from '../../errors';
import type { WebhookAdmin } from '../../management/webhook-admin';
import {
  createAdminHttpHandler,
  discardNodeBody,
  readNodeBody,
  resolveAdminRouterOptions,
  writeAdminResponse,
  type AdminHttpHandler,
  type AdminRouterOptions,
} from '../../management/http';
import { checkOptionsObject, describe } from '../../options';
import { All, Controller, Inject, Logger, Module, Req, Res, UseGuards } from './nest-common';
import type {
  CanActivate,
  DynamicModule,
  InjectionToken,
  ModuleMetadata,
  OptionalFactoryDependency,
  Type,
} from './nest-common';

/** The request `authorize` is given: Nest's, on Express (`req.user` from a passport guard, headers, …). */
export type NestAdminRequest = IncomingMessage & { readonly user?: unknown };

/** What the management API is served with: the admin, and the options of every management router. */
export interface HookspecAdminOptions extends AdminRouterOptions<NestAdminRequest> {
  admin: WebhookAdmin;
}

/** How the controller is mounted; fixed when the module is registered, since Nest reads it from decorators. */
export interface HookspecAdminMountOptions {
  /** The controller's path, under the app's global prefix. Default: `'webhooks'`. */
  path?: string;
  /**
   * Guards of the controller, before `authorize` (an `AuthGuard('jwt')` that sets `req.user`). The app's
   * global guards apply as to any controller. With `portal`, they see the portal's page and its
   * portal-token requests too: a guard that refuses anonymous requests must let those through. Default: none.
   */
  guards?: (Type<CanActivate> | CanActivate)[];
}

/** `HookspecAdminModule.register(options)`. */
export type HookspecAdminModuleOptions = HookspecAdminOptions & HookspecAdminMountOptions;

/** `HookspecAdminModule.registerAsync(options)`: the admin and `authorize` from a factory, with Nest's DI. */
export interface HookspecAdminModuleAsyncOptions extends HookspecAdminMountOptions {
  /** Modules whose providers the factory injects (e.g. `HookspecModule`, for its `WebhookClient`). Default: none. */
  imports?: ModuleMetadata['imports'];
  /** Providers passed to `useFactory`, in order. Default: none. */
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** Builds `{ admin, authorize, onError?, challenge?, portal? }`; may be async. */
  useFactory: (...args: never[]) => HookspecAdminOptions | Promise<HookspecAdminOptions>;
}

const ADMIN_HTTP_HANDLER = Symbol.for('hookspec:admin-http-handler');
const MOUNT_KEYS = ['path', 'guards'];
const ROUTER_KEYS = ['admin', 'authorize', 'onError', 'challenge', 'portal'];
const ASYNC_KEYS = ['imports', 'inject', 'useFactory', ...MOUNT_KEYS];
const logger = new Logger('HookspecAdmin');

/**
 * The management API in a Nest app: a controller at `path` whose every request goes through the app's
 * guards (global ones and `guards`), then `authorize`, which decides the owner from the app's own
 * authentication, then the API (JSON in and out, errors as `application/problem+json`).
 *
 * ```ts
 * @Module({ imports: [HookspecAdminModule.register({ admin, path: 'webhooks', authorize: (req) => req.user?.accountId })] })
 * ```
 *
 * Bodies are read as the app's parser left them (Nest's JSON parser, 100 kB by default, applies first).
 *
 * @throws WebhookAdminError `invalid-option` when `authorize` is missing: the API never runs without it.
 */
@Module({})
export class HookspecAdminModule {
  static register(options: HookspecAdminModuleOptions): DynamicModule {
    const where = 'HookspecAdminModule.register(options)';
    const { admin, path, guards, ...routerOptions } = checkedMountOptions(options, where, ROUTER_KEYS);
    const handler = adminHandler(admin, routerOptions, where);
    return {
      module: HookspecAdminModule,
      controllers: [adminController(path, guards)],
      providers: [{ provide: ADMIN_HTTP_HANDLER, useValue: handler }],
    };
  }

  /**
   * The same, with `{ admin, authorize }` from a factory:
   * `registerAsync({ imports: [HookspecModule], inject: [WebhookClient], useFactory: (client) => ({ admin: new WebhookAdmin(client), authorize }) })`.
   */
  static registerAsync(options: HookspecAdminModuleAsyncOptions): DynamicModule {
    const where = 'HookspecAdminModule.registerAsync(options)';
    const { path, guards, useFactory, imports, inject } = checkedMountOptions(options, where, ASYNC_KEYS);
    if (typeof useFactory !== 'function') {
      throw new WebhookAdminError(
        'invalid-option',
        `${where} needs useFactory: a function that returns { admin, authorize }; got ${describe(useFactory)}.`,
      );
    }
    return {
      module: HookspecAdminModule,
      imports: imports ?? [],
      controllers: [adminController(path, guards)],
      providers: [
        {
          provide: ADMIN_HTTP_HANDLER,
          inject: inject ?? [],
          useFactory: async (...args: never[]) => {
            const given = await useFactory(...args);
            checkOptionsObject(
              given,
              ROUTER_KEYS,
              {
                where: `${where}'s useFactory result`,
                fail: (code, message) => new WebhookAdminError(code, message),
              },
              '{ admin, authorize }',
            );
            const { admin, ...routerOptions } = given;
            return adminHandler(admin, routerOptions, `${where}'s useFactory result`);
          },
        },
      ],
    };
  }
}

function checkedMountOptions<T extends HookspecAdminMountOptions>(
  options: T,
  where: string,
  otherKeys: readonly string[],
): T & { path: string; guards: NonNullable<HookspecAdminMountOptions['guards']> } {
  checkOptionsObject(
    options,
    [...otherKeys, ...MOUNT_KEYS],
    {
      where,
      fail: (code, message) => new WebhookAdminError(code, message),
    },
    '{ admin, authorize: (req) => req.user?.accountId }',
  );
  const { path = 'webhooks', guards = [] } = options;
  if (typeof path !== 'string') {
    throw new WebhookAdminError(
      'invalid-option',
      `${where}: path must be the controller's path, such as 'webhooks'; got ${describe(path)}.`,
    );
  }
  if (!Array.isArray(guards)) {
    throw new WebhookAdminError(
      'invalid-option',
      `${where}: guards must be an array of guards, got ${describe(guards)}.`,
    );
  }
  return { ...options, path, guards };
}

function adminHandler(
  admin: WebhookAdmin,
  options: AdminRouterOptions<NestAdminRequest>,
  where: string,
): AdminHttpHandler<NestAdminRequest> {
  const resolved = resolveAdminRouterOptions<NestAdminRequest>(admin, options, where, (error, req) =>
    logger.error(
      `${req.method} ${(req.url ?? '').split('?')[0]} failed with an internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    ),
  );
  return createAdminHttpHandler(admin, resolved);
}

/** A controller class for one mount: Nest takes the path and the guards from its decorators. */
function adminController(path: string, guards: NonNullable<HookspecAdminMountOptions['guards']>): Type<unknown> {
  @Controller(path)
  @UseGuards(...guards)
  class HookspecAdminController {
    constructor(@Inject(ADMIN_HTTP_HANDLER) private readonly handler: AdminHttpHandler<NestAdminRequest>) {}

    @All(['', '{*path}'])
    async serve(
      @Req() req: NestAdminRequest & { params?: { path?: string[] | string } },
      @Res() res: unknown,
    ): Promise<void> {
      const response = await this.handler.handle({
        request: req,
        method: req.method ?? 'GET',
        url: relativeUrl(req),
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        readBody: () => readNodeBody(req),
        discardBody: () => discardNodeBody(req),
      });
      writeAdminResponse(rawResponseOf(res), response);
    }
  }
  return HookspecAdminController;
}

/** The path below the controller's (from the route's wildcard, so the global prefix does not matter) and the query. */
function relativeUrl(req: IncomingMessage & { params?: { path?: string[] | string } }): string {
  const splat = req.params?.path;
  const segments = splat === undefined ? [] : Array.isArray(splat) ? splat : splat.split('/');
  const url = req.url ?? '';
  const mark = url.indexOf('?');
  return `/${segments.map((segment) => encodeURIComponent(segment)).join('/')}${mark === -1 ? '' : url.slice(mark)}`;
}

/** The Node response under Nest's: Express's response is one, Fastify's reply holds it as `raw`. */
function rawResponseOf(response: unknown): ServerResponse {
  return ((response as { raw?: ServerResponse }).raw ?? response) as ServerResponse;
}
