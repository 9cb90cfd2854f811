import { CliError } from '../errors';
import { CONFIG_FILE_NAME, loadCliConfig } from './cli-config';
import type { CliConfig } from './cli-config';
import type { DocumentOptions } from './render-document';

/** The flags of `generate` and `check`, as commander parsed them: only those given are set. */
export interface DocumentFlags extends Omit<CliConfig, 'modules'> {
  /** `--config <file>`: the config file to read instead of looking one up. */
  config?: string;
}

/** What `generate` and `check` build: the flags laid over the config file. */
export interface DocumentRequest extends DocumentOptions {
  modules: string[];
  out: string;
  /** The `hookspec generate` command that writes the same document: the arguments given, not the config's. */
  regenerate: string;
}

/**
 * Lays the command line over the config file (`--config <file>`, or `hookspec.config.json` / package.json
 * `hookspec` in `cwd`): a flag or a module argument given wins over the file's value.
 */
export function documentRequest(
  command: string,
  modules: string[],
  flags: DocumentFlags,
  cwd: string,
): DocumentRequest {
  const { config, file } = loadCliConfig(cwd, flags.config);
  const { config: _path, ...given } = definedOnly(flags);
  const merged = { ...config, ...given, modules: modules.length > 0 ? modules : (config.modules ?? []) };
  const from = file === undefined ? `${CONFIG_FILE_NAME} (none found in ${cwd})` : file;
  if (merged.modules.length === 0) {
    throw new CliError(
      'invalid-option',
      `${command} needs the compiled modules that export the @Webhook classes: pass them as arguments ` +
        `(hookspec ${command} dist/webhooks.js --out openapi.json) or set "modules" in ${from}.`,
    );
  }
  if (merged.out === undefined) {
    throw new CliError(
      'invalid-option',
      `${command} needs the document file: pass --out openapi.json or set "out" in ${from}.`,
    );
  }
  return { ...merged, out: merged.out, regenerate: regenerateCommand(modules, flags) };
}

function definedOnly(flags: DocumentFlags): DocumentFlags {
  return Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined)) as DocumentFlags;
}

/** The arguments as given, in a fixed order, so the suggested command writes exactly what check compares. */
function regenerateCommand(modules: string[], flags: DocumentFlags): string {
  return [
    'hookspec generate',
    ...modules.map(quote),
    ...(flags.config !== undefined ? ['--config', quote(flags.config)] : []),
    ...(flags.out !== undefined ? ['--out', quote(flags.out)] : []),
    ...(flags.base !== undefined ? ['--base', quote(flags.base)] : []),
    ...(flags.title !== undefined ? ['--title', quote(flags.title)] : []),
    ...(flags.version !== undefined ? ['--version', quote(flags.version)] : []),
    ...(flags.yaml ? ['--yaml'] : []),
    ...(flags.envelope !== undefined ? ['--envelope', flags.envelope] : []),
  ].join(' ');
}

/** Quotes an argument for a POSIX shell when it needs it. */
function quote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}
