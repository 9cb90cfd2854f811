import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * This package's version, from the nearest package.json named `hookspec` above this file: two levels
 * up from lib/ and dist/, more when lib/ is compiled elsewhere (a benchmark's or a bundler's build).
 */
export const VERSION: string = readVersion(__dirname);

function readVersion(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hookspec' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return '0.0.0';
  }
}
