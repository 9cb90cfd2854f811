import { HookspecError } from './hookspec.error';

/** The codes a `CliError` is thrown with. */
export type CliErrorCode =
  | 'unknown-option'
  | 'invalid-option'
  | 'config-unreadable'
  | 'module-not-found'
  | 'module-load-failed'
  | 'typescript-module'
  | 'no-webhooks-in-module'
  | 'base-unreadable'
  | 'listen-failed';

/**
 * The `hookspec` command line cannot do what it was asked: its config file is unreadable or has an unknown
 * key or a value of the wrong type (`config-unreadable`, `unknown-option`, `invalid-option`), a module
 * cannot be found or loaded or exports no webhook, the base document cannot be read, or `listen` has a bad
 * flag or cannot listen. The message names the file, flag or key and the fix; the CLI prints it and exits 2.
 */
export class CliError extends HookspecError<CliErrorCode> {
  override name = 'CliError';
}
