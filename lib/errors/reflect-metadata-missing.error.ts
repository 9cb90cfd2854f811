import { HookspecError } from './hookspec.error';

/** The one code a `ReflectMetadataMissingError` is thrown with. */
export type ReflectMetadataMissingErrorCode = 'reflect-metadata-missing';

/** The Reflect metadata polyfill is not loaded, so decorators cannot record anything. */
export class ReflectMetadataMissingError extends HookspecError<ReflectMetadataMissingErrorCode> {
  override name = 'ReflectMetadataMissingError';

  constructor(where: string) {
    super(
      'reflect-metadata-missing',
      `${where}: the Reflect metadata API is not available. ` +
        `Add \`import 'reflect-metadata';\` once at the entry point of your program, before any decorated class is loaded.`,
    );
  }
}
