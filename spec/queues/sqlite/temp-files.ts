import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory for one spec file's databases; `remove()` deletes it and everything in it. */
export function tempDirectory(label: string): { file: (name?: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `hookspec-${label}-`));
  let count = 0;
  return {
    file: (name) => join(dir, name ?? `queue-${++count}.db`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
