import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { CliError } from '../errors';
import { ENVELOPE_MODES } from '../envelope';
import type { EnvelopeMode } from '../envelope';
import { checkKnownKeys, describe, oneOf } from '../options';
import type { OptionScope } from '../options';

/** The file `hookspec generate` and `check` read from the current directory when `--config` is not given. */
export const CONFIG_FILE_NAME = 'hookspec.config.json';

/**
 * What `hookspec.config.json` (or the `hookspec` key of package.json) may set. Flags given on the command
 * line override it; paths in it are relative to the file's directory.
 */
export interface CliConfig {
  /** Compiled modules that export the `@Webhook` classes (the `<module...>` arguments). */
  modules?: string[];
  /** The document file (`--out`). */
  out?: string;
  /** An OpenAPI 3.1 document to add the webhooks to (`--base`). */
  base?: string;
  /** The document's `info.title` (`--title`). */
  title?: string;
  /** The document's `info.version` (`--version`). */
  version?: string;
  /** Write YAML whatever the file extension (`--yaml`). */
  yaml?: boolean;
  /** How the client wraps bodies (`--envelope`); `hookspec listen` may read it too. */
  envelope?: EnvelopeMode;
}

/** A loaded configuration and where it came from; `file` is undefined when none was found. */
export interface LoadedCliConfig {
  readonly config: CliConfig;
  /** The file read, as shown in messages: relative to the current directory when inside it. */
  readonly file: string | undefined;
}

const CONFIG_KEYS: readonly (keyof CliConfig)[] = ['modules', 'out', 'base', 'title', 'version', 'yaml', 'envelope'];
const STRING_KEYS = ['out', 'base', 'title', 'version'] as const;
const PATH_KEYS = ['out', 'base'] as const;

/**
 * Reads the CLI configuration. With `path` (`--config <file>`), that JSON file, which must exist. Without
 * it, `hookspec.config.json` in `cwd`, else the `hookspec` key of `cwd`'s package.json, else nothing
 * (`{ config: {}, file: undefined }`). Only `cwd` is looked in, never its parents, so the file that
 * applies is the one beside where the command runs. Paths in the file are returned relative to `cwd`.
 *
 * Throws `CliError`: `config-unreadable` (missing `--config` file, not JSON, not an object),
 * `unknown-option` (with a did-you-mean), `invalid-option` (a value of the wrong type, naming the key and file).
 */
export function loadCliConfig(cwd: string, path?: string): LoadedCliConfig {
  if (path !== undefined) {
    const file = resolve(cwd, path);
    if (!existsSync(file)) {
      throw new CliError(
        'config-unreadable',
        `cannot read the config file ${path}: it does not exist (looked for ${file}).`,
      );
    }
    return { config: checkedConfig(readJson(file, cwd), file, cwd), file: shown(file, cwd) };
  }
  const configFile = join(cwd, CONFIG_FILE_NAME);
  if (existsSync(configFile)) {
    return { config: checkedConfig(readJson(configFile, cwd), configFile, cwd), file: CONFIG_FILE_NAME };
  }
  const packageFile = join(cwd, 'package.json');
  if (existsSync(packageFile)) {
    const pkg = readJson(packageFile, cwd);
    const section = (pkg as Record<string, unknown>).hookspec;
    if (section !== undefined) {
      const where = 'package.json "hookspec"';
      return { config: checkedConfig(section, packageFile, cwd, where), file: where };
    }
  }
  return { config: {}, file: undefined };
}

function readJson(file: string, cwd: string): object {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(
      'config-unreadable',
      `cannot read the config file ${shown(file, cwd)}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(
      'config-unreadable',
      `the config file ${shown(file, cwd)} must hold a JSON object, got ${describe(parsed)}.`,
    );
  }
  return parsed;
}

function checkedConfig(value: unknown, file: string, cwd: string, where = shown(file, cwd)): CliConfig {
  const scope: OptionScope = { where, fail: (code, message) => new CliError(code, message) };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw scope.fail(
      'invalid-option',
      `${where} must be an object of CLI options, e.g. { "out": "openapi.json" }; got ${describe(value)}.`,
    );
  }
  const raw = value as Record<string, unknown>;
  checkKnownKeys(raw, CONFIG_KEYS, scope);
  const config: CliConfig = {};
  if (raw.modules !== undefined) config.modules = checkModules(raw.modules, scope);
  for (const key of STRING_KEYS) {
    const entry = raw[key];
    if (entry === undefined) continue;
    if (typeof entry !== 'string' || entry === '') {
      throw scope.fail('invalid-option', `${where}: "${key}" must be a non-empty string, got ${describe(entry)}.`);
    }
    config[key] = entry;
  }
  if (raw.yaml !== undefined) {
    if (typeof raw.yaml !== 'boolean') {
      throw scope.fail('invalid-option', `${where}: "yaml" must be true or false, got ${describe(raw.yaml)}.`);
    }
    config.yaml = raw.yaml;
  }
  if (raw.envelope !== undefined) config.envelope = oneOf(raw.envelope, 'none', ENVELOPE_MODES, '"envelope"', scope);
  // Paths are written relative to the file, and used relative to where the command runs.
  const base = dirname(file);
  for (const key of PATH_KEYS) {
    const entry = config[key];
    if (entry !== undefined) config[key] = fromCwd(base, entry, cwd);
  }
  if (config.modules)
    config.modules = config.modules.map((module) => (isPath(module, base) ? fromCwd(base, module, cwd) : module));
  return config;
}

function checkModules(value: unknown, scope: OptionScope): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((entry) => typeof entry !== 'string' || entry === '')) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: "modules" must be a non-empty array of module paths, e.g. ["dist/webhooks.js"], got ` +
        `${Array.isArray(value) ? (value.length === 0 ? 'an empty array' : 'an array with a value that is not a path') : describe(value)}.`,
    );
  }
  return value as string[];
}

/**
 * A module written as a path relative to the config file, rather than a package name that Node resolves
 * (`@acme/webhooks`): it starts with `.` or `/`, names a JavaScript file, or exists beside the config file.
 */
function isPath(module: string, base: string): boolean {
  return (
    /^\.{0,2}\//.test(module) || /\.[cm]?js$/.test(module) || isAbsolute(module) || existsSync(resolve(base, module))
  );
}

function fromCwd(base: string, path: string, cwd: string): string {
  const absolute = resolve(base, path);
  const inside = relative(cwd, absolute);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? absolute : inside;
}

function shown(file: string, cwd: string): string {
  const inside = relative(cwd, file);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? file : inside;
}
