import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileChildren, PROJECT_NODE_MODULES } from '../compile-children';

const ROOT = resolve(__dirname, '../../..');

/**
 * Compiles the queue specs' children with the lib they run (see ../compile-children.ts) into a temporary
 * directory, and returns `bullmq/<file>`'s path and a function that removes the directory.
 */
export async function compileWorkerChild(file = 'worker-child'): Promise<{ script: string; remove: () => void }> {
  const outDir = mkdtempSync(join(tmpdir(), 'hookspec-bullmq-child-'));
  try {
    return {
      script: (await compileChildren(outDir)).script(`bullmq/${file}`),
      remove: () => rmSync(outDir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(outDir, { recursive: true, force: true });
    throw error;
  }
}

export interface WorkerChildSettings {
  readonly redisPort: number;
  readonly queue: string;
  readonly url: string;
  readonly secret: string;
  readonly leaseMs: number;
  readonly timeoutMs: number;
  readonly stalledMs: number;
  readonly concurrency: number;
  /** More environment for a child that needs other settings (load-child.ts). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface WorkerChild {
  readonly process: ChildProcess;
  /** Resolves when the child has made its client and started delivering. */
  readonly ready: Promise<void>;
  /** What the child wrote to stderr, for a failing test's message. */
  readonly stderr: () => string;
  /** SIGKILL: no cleanup, no settle, the lease is left to expire. Resolves when the process is gone. */
  kill(): Promise<void>;
}

const children = new Set<ChildProcess>();

export function startWorkerChild(script: string, settings: WorkerChildSettings): WorkerChild {
  const child = spawn(process.execPath, [script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The compiled lib lives in a temp directory: let it find the project's packages.
    env: {
      ...process.env,
      NODE_PATH: PROJECT_NODE_MODULES,
      HS_REDIS_PORT: String(settings.redisPort),
      HS_QUEUE: settings.queue,
      HS_URL: settings.url,
      HS_SECRET: settings.secret,
      HS_LEASE_MS: String(settings.leaseMs),
      HS_TIMEOUT_MS: String(settings.timeoutMs),
      HS_STALLED_MS: String(settings.stalledMs),
      HS_CONCURRENCY: String(settings.concurrency),
      ...settings.env,
    },
  });
  children.add(child);
  const gone = new Promise<void>((done) => child.once('exit', () => done()));
  void gone.then(() => children.delete(child));
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const ready = new Promise<void>((done, fail) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n')) done();
    });
    void gone.then(() => fail(new Error(`the worker child exited before it was ready: ${errors}`)));
  });
  return {
    process: child,
    ready,
    stderr: () => errors,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gone;
    },
  };
}

/** Kills every child still running (afterAll), so a failing test leaves no process behind. */
export async function killAllWorkerChildren(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
}
