import type { WebhookClass, WebhookClientOptions } from '../../client';
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from './nest-common';

/** `HookspecModule.forRoot(options)`: the `WebhookClient`'s options, and how the module is registered. */
export type HookspecModuleOptions<C extends readonly WebhookClass[] = readonly WebhookClass[]> =
  WebhookClientOptions<C> & {
    /** Register the module globally, so every module can inject `WebhookClient` without importing it. Default: `false`. */
    isGlobal?: boolean;
  };

/** `HookspecModule.forRootAsync(options)`: the client's options from a factory, with Nest's DI. */
export interface HookspecModuleAsyncOptions {
  /** Modules whose providers the factory injects (e.g. `ConfigModule`). Default: none. */
  imports?: ModuleMetadata['imports'];
  /** Providers passed to `useFactory`, in order. Default: none. */
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** Builds the `WebhookClient`'s options; may be async. */
  useFactory: (
    ...args: never[]
  ) => WebhookClientOptions<readonly WebhookClass[]> | Promise<WebhookClientOptions<readonly WebhookClass[]>>;
  /** Register the module globally. Default: `false`. */
  isGlobal?: boolean;
}

/** The injection token of the `WebhookClientOptions` the module's client was built with. */
export const HOOKSPEC_MODULE_OPTIONS = Symbol.for('hookspec:module-options');
