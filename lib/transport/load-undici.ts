import type * as Undici from 'undici';
import { WebhookClientConfigError } from '../errors';

/** The parts of undici the undici transport uses. */
export type UndiciModule = typeof Undici;

const INSTALL = 'npm install undici@7';

/**
 * Loads undici when an undici transport is made, never when hookspec is imported: it is an optional
 * peer dependency, and an application on the default axios transport must not need it (nor pay for
 * loading it). A missing package throws `WebhookClientConfigError` `missing-dependency`, naming the fix.
 */
export function loadUndici(where: string): UndiciModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('undici') as UndiciModule;
  } catch (error) {
    const notFound =
      (error as NodeJS.ErrnoException | undefined)?.code === 'MODULE_NOT_FOUND' &&
      String((error as Error).message).includes("'undici'");
    const why = notFound
      ? 'needs the package undici, which is not installed'
      : `needs the package undici, which is installed but failed to load (${(error as Error).message})`;
    throw new WebhookClientConfigError(
      'missing-dependency',
      `${where}: the undici transport ${why}. Install it with \`${INSTALL}\`, or leave \`transport\` unset for axios.`,
      { cause: error },
    );
  }
}
