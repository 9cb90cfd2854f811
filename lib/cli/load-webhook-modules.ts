import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from '../errors';
import { isWebhookClass } from '../metadata';

/** The webhook classes exported by the given modules, in module and export order, without repeats. */
export async function loadWebhookClasses(modules: readonly string[], cwd: string): Promise<Function[]> {
  preloadReflectMetadata(cwd);
  const classes = new Set<Function>();
  for (const spec of modules) {
    const exported = await loadModule(spec, cwd);
    const found = webhookExports(exported);
    if (found.length === 0) {
      const names = exportNames(exported);
      throw new CliError(
        'no-webhooks-in-module',
        `${spec} exports no class with @Webhook metadata (its exports: ${names.length ? names.join(', ') : 'none'}). ` +
          `Export the decorated classes from it, or pass the module that does.`,
      );
    }
    for (const cls of found) classes.add(cls);
  }
  return [...classes];
}

/** Export names, with a CommonJS module's `module.exports` (the namespace's `default`) spread out. */
function exportNames(exported: unknown): string[] {
  if (typeof exported !== 'object' || exported === null) return [];
  const nested = (exported as { default?: unknown }).default;
  const names = Object.keys(exported).filter(
    (name) => name !== '__esModule' && (name !== 'default' || typeof nested !== 'object'),
  );
  if (typeof nested === 'object' && nested !== null)
    names.push(...Object.keys(nested).filter((n) => n !== '__esModule'));
  return [...new Set(names)].sort();
}

function webhookExports(exported: unknown): Function[] {
  if (isWebhookClass(exported)) return [exported];
  if (typeof exported !== 'object' || exported === null) return [];
  const values = Object.values(exported as Record<string, unknown>);
  const nested = (exported as { default?: unknown }).default;
  if (typeof nested === 'object' && nested !== null) values.push(...Object.values(nested as Record<string, unknown>));
  return [...new Set(values.filter(isWebhookClass))];
}

async function loadModule(spec: string, cwd: string): Promise<unknown> {
  const file = resolveModule(spec, cwd);
  if (['.ts', '.mts', '.cts'].includes(extname(file)) && !file.endsWith('.d.ts')) {
    throw new CliError(
      'typescript-module',
      `${spec} is TypeScript source. Compile it first (tsc with "emitDecoratorMetadata": true) and pass the .js file.`,
    );
  }
  try {
    return await import(pathToFileURL(file).href);
  } catch (error) {
    throw new CliError('module-load-failed', `loading ${spec} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function resolveModule(spec: string, cwd: string): string {
  const file = resolve(cwd, spec);
  if (existsSync(file)) return file;
  try {
    return require.resolve(spec, { paths: [cwd] });
  } catch {
    throw new CliError(
      'module-not-found',
      `cannot find module ${spec} (looked for ${file}). Pass the path of a compiled JavaScript module, e.g. dist/webhooks.js.`,
    );
  }
}

/** The CLI is its own entry point: give the user's modules the Reflect metadata API their decorators need. */
function preloadReflectMetadata(cwd: string): void {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a side-effect load from a resolved path
    require(require.resolve('reflect-metadata', { paths: [cwd, __dirname] }));
  } catch {
    // Not installed: the modules' decorators then report the missing polyfill themselves.
  }
}
