import { WebhookClient } from '../../client';
import type { WebhookClass, WebhookClientOptions } from '../../client';
import { HookspecError } from '../../errors';
import { HOOKSPEC_MODULE_OPTIONS } from './hookspec-module-options';
import type { HookspecModuleAsyncOptions, HookspecModuleOptions } from './hookspec-module-options';
import { Inject, Module } from './nest-common';
import type { DynamicModule, OnApplicationShutdown } from './nest-common';

type ClientOptions = WebhookClientOptions<readonly WebhookClass[]>;

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
    if (typeof options !== 'object' || options === null) {
      throw new HookspecError(
        'invalid-module-options',
        'HookspecModule.forRoot(options) needs the WebhookClient options: { webhooks: [...], endpoints: [...] }.',
      );
    }
    const { isGlobal = false, ...clientOptions } = options;
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
    if (typeof options?.useFactory !== 'function') {
      throw new HookspecError(
        'invalid-module-options',
        'HookspecModule.forRootAsync(options) needs useFactory: a function that returns the WebhookClient options ' +
          '(it may be async, and inject providers listed in inject).',
      );
    }
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
