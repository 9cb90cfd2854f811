import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Every lib/ file that `entry` reaches through relative imports and re-exports, type-only ones included. */
function reachableFiles(entry: string): Map<string, string> {
  const files = new Map<string, string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    const source = readFileSync(file, 'utf8');
    files.set(file, source);
    for (const [, specifier] of source.matchAll(/(?:from|import|require\()\s*'(\.[^']*)'/g)) {
      const base = join(dirname(file), specifier!);
      const resolved = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
      if (resolved === undefined) throw new Error(`${file}: cannot resolve ${specifier}`);
      pending.push(resolved);
    }
  }
  return files;
}

describe('the hookspec/nestjs entry', () => {
  it('is exported like the main entry, with ESM and CommonJS types', () => {
    expect(pkg.exports['./nestjs']).toEqual({
      import: {
        types: './dist/frameworks/nestjs/index.d.mts',
        default: './dist/frameworks/nestjs/index.mjs',
      },
      require: {
        types: './dist/frameworks/nestjs/index.d.ts',
        default: './dist/frameworks/nestjs/index.js',
      },
    });
  });

  it('asks for @nestjs/common and @nestjs/core as optional peers', () => {
    for (const name of ['@nestjs/common', '@nestjs/core']) {
      expect(pkg.peerDependencies[name]).toMatch(/\^12\.0\.0/);
      expect(pkg.peerDependenciesMeta[name]).toEqual({ optional: true });
    }
  });

  it('is the only way in to Nest: nothing the main entry loads imports @nestjs', () => {
    const reached = reachableFiles(join(root, 'lib', 'index.ts'));
    expect(reached.size).toBeGreaterThan(20);
    const importingNest = [...reached]
      .filter(([, source]) => /(?:from|require\()\s*'@nestjs\//.test(source))
      .map(([file]) => file);
    expect(importingNest).toEqual([]);
    expect([...reached.keys()].filter((file) => file.includes('integrations'))).toEqual([]);
  });
});
