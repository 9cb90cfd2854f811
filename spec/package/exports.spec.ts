import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Runs a script in a fresh Node process inside the package, so `hookspec` resolves through its exports. */
function node(args: string[]): string {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}

describe('the published package', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'index.mjs'))) throw new Error('dist/ is missing: run `npm run build` first');
  });

  it('gives import and require one module instance (one copy of every class and error)', () => {
    const script = `
      import { createRequire } from 'node:module';
      import * as esm from 'hookspec';
      const cjs = createRequire(process.cwd() + '/')('hookspec');
      const names = Object.keys(cjs).filter((n) => n !== '__esModule').sort();
      const same = names.every((n) => esm[n] === cjs[n]);
      console.log(JSON.stringify({ same, missing: names.filter((n) => !(n in esm)), count: names.length }));
    `;
    const result = JSON.parse(node(['--input-type=module', '-e', script]));
    expect(result).toEqual({ same: true, missing: [], count: expect.any(Number) });
    expect(result.count).toBeGreaterThan(10);
  });

  it('exports the public contract by name', () => {
    const names = JSON.parse(node(['-e', "console.log(JSON.stringify(Object.keys(require('hookspec'))))"]));
    expect(names).toEqual(
      expect.arrayContaining(['Webhook', 'Payload', 'WebhookProperty', 'buildOpenApi', 'HookspecError']),
    );
    expect(names).not.toContain('default');
  });

  it('declares types for both entries and an executable bin', () => {
    expect(pkg.exports['.'].import.types).toBe('./dist/index.d.mts');
    expect(pkg.exports['.'].require.types).toBe('./dist/index.d.ts');
    for (const file of ['dist/index.d.ts', 'dist/index.d.mts', pkg.bin.hookspec])
      expect(existsSync(join(root, file))).toBe(true);
    expect(readFileSync(join(root, pkg.bin.hookspec), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(join(root, pkg.bin.hookspec)).isFile()).toBe(true);
    expect(node([pkg.bin.hookspec, '--version'])).toBe(pkg.version);
  });

  it('asks as peers only for the libraries whose instance the user owns; framework and queue peers are optional', () => {
    const required = Object.keys(pkg.peerDependencies).filter((name) => !pkg.peerDependenciesMeta?.[name]?.optional);
    expect(required.sort()).toEqual(['class-transformer', 'class-validator', 'reflect-metadata']);
    expect(Object.keys(pkg.peerDependenciesMeta).sort()).toEqual([
      '@nestjs/common',
      '@nestjs/core',
      '@nestjs/swagger',
      'better-sqlite3',
      'bullmq',
      'express',
      'fastify',
      'ioredis',
      'pg',
      'undici',
    ]);
    expect(pkg.dependencies).toHaveProperty('openapi3-ts');
  });
});

/** The packages that an entry's declarations import, following its relative imports through dist/. */
function packagesTypedBy(declarations: string): string[] {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const { importedFiles, typeReferenceDirectives } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of [...importedFiles, ...typeReferenceDirectives]) {
      if (!fileName.startsWith('.')) {
        packages.add(fileName.startsWith('@') ? fileName.split('/').slice(0, 2).join('/') : fileName.split('/')[0]!);
        continue;
      }
      const base = resolve(dirname(file), fileName).replace(/\.js$/, '');
      const next = [`${base}.d.ts`, join(base, 'index.d.ts')].find((candidate) => existsSync(candidate));
      if (next) visit(next);
    }
  };
  visit(join(root, declarations));
  return [...packages].sort();
}

describe('the declarations of each entry', () => {
  it.each([
    ['.', []],
    ['./express', ['express']],
    ['./fastify', ['fastify']],
    ['./nestjs', ['@nestjs/common']],
    // The SQLite queue types its own view of better-sqlite3: no @types package is needed.
    ['./sqlite', []],
    ['./bullmq', ['bullmq']],
    // The PostgreSQL queue takes the app's pg.Pool: its options name pg's types (@types/pg).
    ['./postgres', ['pg']],
  ])(
    'of %s import no optional peer but %j, so it compiles with skipLibCheck false without the others',
    (entry, own) => {
      const optional = new Set(Object.keys(pkg.peerDependenciesMeta));
      const typedBy = packagesTypedBy(pkg.exports[entry].require.types).filter((name) => optional.has(name));
      expect(typedBy).toEqual(own);
    },
  );
});

describe('the subpath entries', () => {
  it('are exactly the frameworks and the durable queues, each with import and require types', () => {
    expect(Object.keys(pkg.exports)).toEqual([
      '.',
      './express',
      './fastify',
      './nestjs',
      './sqlite',
      './bullmq',
      './postgres',
      './package.json',
    ]);
    for (const [entry, target] of Object.entries(pkg.exports)) {
      if (entry === '.' || entry === './package.json') continue;
      const { import: esm, require: cjs } = target as Record<string, Record<string, string>>;
      for (const file of [esm.types, esm.default, cjs.types, cjs.default])
        expect(existsSync(join(root, file))).toBe(true);
      // moduleResolution node10 ignores exports: typesVersions must lead it to the same declarations.
      expect(pkg.typesVersions['*'][entry.slice(2)]).toEqual([cjs.types]);
    }
  });

  it.each([
    'hookspec/express',
    'hookspec/fastify',
    'hookspec/nestjs',
    'hookspec/sqlite',
    'hookspec/bullmq',
    'hookspec/postgres',
  ])('%s gives import and require one module instance', (entry) => {
    const script = `
        import { createRequire } from 'node:module';
        const esm = await import('${entry}');
        const cjs = createRequire(process.cwd() + '/')('${entry}');
        const names = Object.keys(cjs).filter((n) => n !== '__esModule');
        console.log(JSON.stringify({ count: names.length, same: names.every((n) => esm[n] === cjs[n]) }));
      `;
    const result = JSON.parse(node(['--input-type=module', '-e', script]));
    expect(result.same).toBe(true);
    expect(result.count).toBeGreaterThanOrEqual(1);
  });

  it('keeps express, fastify, @nestjs, the queue databases and undici out of the main entry', () => {
    const script = `
      require('hookspec');
      const loaded = Object.keys(require.cache).filter((f) => /node_modules\\/(express|fastify|@nestjs|axios|openapi3-ts|better-sqlite3|bullmq|ioredis|pg|undici)\\//.test(f));
      console.log(JSON.stringify(loaded));
    `;
    expect(JSON.parse(node(['-e', script]))).toEqual([]);
  });

  it.each([
    ['hookspec/express', []],
    ['hookspec/fastify', []],
    ['hookspec/nestjs', ['@nestjs']],
    // The queues load their database client only when a queue is made, so importing them needs no peer.
    ['hookspec/sqlite', []],
    ['hookspec/bullmq', []],
    ['hookspec/postgres', []],
  ])('%s loads no optional peer but %j when imported', (entry, own) => {
    const script = `
      require('${entry}');
      const peers = Object.keys(require.cache).map((f) => /node_modules\\/(express|fastify|@nestjs|better-sqlite3|bullmq|ioredis|pg|undici)\\//.exec(f)?.[1]);
      console.log(JSON.stringify([...new Set(peers.filter(Boolean))].sort()));
    `;
    expect(JSON.parse(node(['-e', script]))).toEqual(own);
  });
});

describe('the undici transport', () => {
  /** A client made in a fresh process (with `prelude` run first): which HTTP clients it loaded, or its error. */
  const clientWith = (transport: string, prelude = '') =>
    JSON.parse(
      node([
        '-e',
        `${prelude}
        require('reflect-metadata');
        const { Webhook, WebhookClient } = require('hookspec');
        class Ping {}
        Webhook('ping')(Ping);
        try {
          const client = new WebhookClient({ webhooks: [Ping], endpoints: [], transport: ${JSON.stringify(transport)} });
          const loaded = Object.keys(require.cache).map((f) => /node_modules\\/(axios|undici)\\//.exec(f)?.[1]);
          console.log(JSON.stringify({ loaded: [...new Set(loaded.filter(Boolean))].sort() }));
          client.close();
        } catch (error) {
          console.log(JSON.stringify({ code: error.code, name: error.name, message: error.message }));
        }`,
      ]),
    );

  it('is loaded only by a client that chooses it', () => {
    expect(clientWith('axios')).toEqual({ loaded: ['axios'] });
    expect(clientWith('undici')).toEqual({ loaded: ['undici'] });
  });

  it('names the package and the fix when undici is not installed', () => {
    const notInstalled = `
      const Module = require('node:module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request === 'undici') throw Object.assign(new Error("Cannot find module 'undici'"), { code: 'MODULE_NOT_FOUND' });
        return resolve.call(this, request, ...rest);
      };`;

    expect(clientWith('undici', notInstalled)).toEqual({
      name: 'WebhookClientConfigError',
      code: 'missing-dependency',
      message: expect.stringContaining(
        'needs the package undici, which is not installed. Install it with `npm install undici@7`',
      ),
    });
  });
});
