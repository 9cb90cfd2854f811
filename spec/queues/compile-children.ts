import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..');

/** Where the compiled code finds its packages: the output directory has no node_modules of its own. */
export const PROJECT_NODE_MODULES = join(root, 'node_modules');

export interface CompiledChildren {
  /** The compiled lib's entry, for a child that requires hookspec by path. */
  readonly lib: string;
  /** A compiled child script by its path under spec/queues without extension, e.g. `sqlite/crash-child`. */
  script(name: string): string;
}

/**
 * Compiles lib and every child script of tsconfig.children.json to JavaScript in `outDir` with tsc: a
 * child process runs plain node, without vitest's transform, and the decorators need
 * emitDecoratorMetadata, which esbuild and tsx drop. Type errors elsewhere in the tree do not stop tsc
 * from emitting, so only missing output fails.
 */
export async function compileChildren(outDir: string): Promise<CompiledChildren> {
  const tsc = join(PROJECT_NODE_MODULES, 'typescript', 'bin', 'tsc');
  const config = join(root, 'spec', 'queues', 'tsconfig.children.json');
  let output = '';
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', config, '--outDir', outDir], {
      cwd: root,
      timeout: 170_000,
    });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  const lib = join(outDir, 'lib', 'index.js');
  if (!existsSync(lib)) throw new Error(`tsc did not emit the lib and the children:\n${output}`);
  return {
    lib,
    script(name) {
      const file = join(outDir, 'spec', 'queues', `${name}.js`);
      if (!existsSync(file)) throw new Error(`tsc did not emit spec/queues/${name}.ts:\n${output}`);
      return file;
    },
  };
}
