import { WebhookClient } from '../../client';
import type { WebhookClass, WebhookClientOptions } from '../../client';
import { WebhookClientConfigError } from '../../errors';
import { checkOptionsObject, describe } from '../../options';
import type { OptionScope } from '../../options';
import { HOOKSPEC_MODULE_OPTIONS } from './hookspec-module-options';
import type { HookspecModuleAsyncOptions, HookspecModuleOptions } from './hookspec-module-options';
import { Inject, Module } from './nest-common';
import type { DynamicModule, OnApplicationShutdown } from './nest-common';

type ClientOptions = WebhookClientOptions<readonly WebhookClass[]>;

const ASYNC_OPTION_KEYS: readonly (keyof HookspecModuleAsyncOptions)[] = [
  'imports',
  'inject',
  'useFactory',
  'isGlobal',
];

const fail: OptionScope['fail'] = (code, message) => new WebhookClientConfigError(code, message);

const clientProvider = {
  provide: WebhookClient,
  inject: [HOOKSPEC_MODULE_OPTIONS],
  useFactory: (options: ClientOptions) => new WebhookClient(options),
};

/**
 * Provides a `WebhookClient` through Nest's DI: inject it by its class,
 * `constructor(private readonly webhooks: WebhookClient)`. The client is closed when the application
 * shuts down (`app.close()`, or a signal with `app.enableShutdownHooks()`): its worker stops, its sockets
 * close, and its queue is closed; a durable queue keeps what is pending for the next start.
 */
@Module({})
export class HookspecModule implements OnApplicationShutdown {
  constructor(@Inject(WebhookClient) private readonly client: WebhookClient) {}

  /** A module with a client built from `options` (those of `new WebhookClient(options)`, plus `isGlobal`). */
  static forRoot<C extends readonly WebhookClass[]>(options: HookspecModuleOptions<C>): DynamicModule {
    const where = 'HookspecModule.forRoot(options)';
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw fail(
        'invalid-option',
        `${where} needs the WebhookClient options: { webhooks: [...], endpoints: [...] }; got ${describe(options)}.`,
      );
    }
    // Only the module's own key is checked here: the client refuses unknown keys among the rest itself.
    const { isGlobal = false, ...clientOptions } = options;
    checkIsGlobal(isGlobal, where);
    return {
      module: HookspecModule,
      global: isGlobal,
      providers: [{ provide: HOOKSPEC_MODULE_OPTIONS, useValue: clientOptions }, clientProvider],
      exports: [WebhookClient, HOOKSPEC_MODULE_OPTIONS],
    };
  }

  /**
   * A module whose client options come from a factory, with what it injects:
   * `forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (config) => ({ … }) })`.
   */
  static forRootAsync(options: HookspecModuleAsyncOptions): DynamicModule {
    const where = 'HookspecModule.forRootAsync(options)';
    checkOptionsObject(
      options,
      ASYNC_OPTION_KEYS,
      { where, fail },
      '{ inject: [ConfigService], useFactory: (config) => ({ … }) }',
    );
    if (typeof options.useFactory !== 'function') {
      throw fail(
        'invalid-option',
        `${where} needs useFactory: a function that returns the WebhookClient options ` +
          `(it may be async, and inject providers listed in inject); got ${describe(options.useFactory)}.`,
      );
    }
    for (const key of ['imports', 'inject'] as const) {
      if (options[key] !== undefined && !Array.isArray(options[key])) {
        throw fail('invalid-option', `${where}: ${key} must be an array, got ${describe(options[key])}.`);
      }
    }
    checkIsGlobal(options.isGlobal, where);
    return {
      module: HookspecModule,
      global: options.isGlobal ?? false,
      imports: options.imports ?? [],
      providers: [
        { provide: HOOKSPEC_MODULE_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        clientProvider,
      ],
      exports: [WebhookClient, HOOKSPEC_MODULE_OPTIONS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

function checkIsGlobal(isGlobal: unknown, where: string): void {
  if (isGlobal !== undefined && typeof isGlobal !== 'boolean') {
    throw fail('invalid-option', `${where}: isGlobal must be true or false, got ${describe(isGlobal)}.`);
  }
}
