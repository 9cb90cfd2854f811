import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..', '..');

/**
 * Compiles lib and the crash child to JavaScript in `outDir` with tsc: a child process runs plain node,
 * without vitest's transform, and the decorators need emitDecoratorMetadata, which esbuild drops.
 * Returns the compiled lib entry and child. Type errors elsewhere in the tree (other people's work in
 * progress) do not stop tsc from emitting, so only missing output fails.
 */
export async function compileChildren(outDir: string): Promise<{ lib: string; child: string }> {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const config = join(root, 'spec', 'queues', 'tsconfig.children.json');
  let output = '';
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', config, '--outDir', outDir], { timeout: 120_000 });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  const lib = join(outDir, 'lib', 'index.js');
  const child = join(outDir, 'spec', 'queues', 'sqlite', 'crash-child.js');
  if (!existsSync(lib) || !existsSync(child)) throw new Error(`tsc did not emit the child and lib:\n${output}`);
  return { lib, child };
}

/** Where the compiled code finds its packages: outDir has no node_modules of its own. */
export const PROJECT_NODE_MODULES = join(root, 'node_modules');
