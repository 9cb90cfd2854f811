import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** A Prisma client generated for one spec into a temporary directory. */
export interface GeneratedPrismaClient {
  /** The generated `client.ts`, to import (vitest compiles it). */
  readonly entry: string;
  /** Removes the directory. */
  remove(): void;
}

const root = resolve(__dirname, '../..');

/**
 * Generates a Prisma 7 client (`prisma-client` generator, for a driver adapter) from `models`, with the
 * prisma CLI of this repository's devDependencies, into a temporary directory whose `node_modules` links
 * to the repository's, so that the generated code finds `@prisma/client/runtime`. About 3 s.
 *
 * No engine is downloaded, or needed: the client of Prisma 7 runs its query compiler as WebAssembly
 * shipped in @prisma/client, and `generate` reads the schema with the CLI's own WebAssembly. The CLI
 * still makes sure a schema engine binary exists before any command (its install script is not run
 * here, and nothing but the npm registry is reachable): PRISMA_SCHEMA_ENGINE_BINARY points it to a
 * stand-in that fails if it is ever run. Telemetry and the update check are off.
 */
export function generatePrismaClient(models: string): GeneratedPrismaClient {
  const dir = mkdtempSync(join(tmpdir(), 'hookspec-prisma-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const engine = join(dir, 'schema-engine-not-used');
    writeFileSync(engine, '#!/bin/sh\necho "the schema engine is not used by these specs" >&2\nexit 1\n');
    chmodSync(engine, 0o755);
    const schema = join(dir, 'schema.prisma');
    writeFileSync(
      schema,
      `generator client {\n  provider = "prisma-client"\n  output   = "./generated"\n}\n\n` +
        `datasource db {\n  provider = "postgresql"\n}\n\n${models}\n`,
    );
    const generated = spawnSync(
      process.execPath,
      [join(root, 'node_modules/prisma/build/index.js'), 'generate', '--schema', schema],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          ...process.env,
          PRISMA_SCHEMA_ENGINE_BINARY: engine,
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
          CHECKPOINT_DISABLE: '1',
        },
      },
    );
    if (generated.status !== 0) {
      throw new Error(`prisma generate failed (${generated.status}): ${generated.stderr || String(generated.error)}`);
    }
    return { entry: join(dir, 'generated', 'client.ts'), remove };
  } catch (error) {
    remove();
    throw error;
  }
}
