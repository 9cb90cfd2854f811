import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Pool } from 'pg';

/** A private PostgreSQL cluster this test file started on loopback, trusting local connections. */
export interface TestPostgres {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Creates an empty database and answers its connection string (`postgres://postgres@127.0.0.1:<port>/<name>`). */
  createDatabase(): Promise<string>;
  /** Fast shutdown (SIGINT: open sessions are ended), then the cluster's directory is removed. */
  stop(): Promise<void>;
}

const HOW_TO_RUN =
  'The PostgreSQL suites need the server binaries initdb and postgres (Debian/Ubuntu: `apt-get install ' +
  'postgresql`); each suite starts a private cluster in a temporary directory on a free loopback port.';

/** The directory holding initdb and postgres: on PATH, or Debian's /usr/lib/postgresql/<newest>/bin. */
function binDirectory(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim() !== '') return join(onPath.stdout.trim(), '..');
  const debian = '/usr/lib/postgresql';
  if (!existsSync(debian)) return undefined;
  const versions = readdirSync(debian)
    .filter((name) => existsSync(join(debian, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(debian, versions[0], 'bin');
}

/**
 * Whether the PostgreSQL suites can run here. Without the server binaries they are skipped locally, with
 * a message saying how to run them; under CI=true their absence is a failure, so CI cannot pass by
 * skipping them.
 */
export function postgresAvailable(): boolean {
  if (binDirectory() !== undefined) return true;
  if (process.env.CI === 'true') throw new Error(`PostgreSQL is not installed, and CI=true. ${HOW_TO_RUN}`);
  console.warn(`Skipping the PostgreSQL suites: initdb is not installed. ${HOW_TO_RUN}`);
  return false;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** initdb and postgres refuse to run as root: as root, they run as `nobody`, who then owns the directory. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function accepts(port: number): Promise<boolean> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Starts a private cluster: initdb into a temporary directory (trust authentication, UTF8, C locale),
 * then postgres on a free 127.0.0.1 port with its socket in that directory and fsync on (the crash
 * tests kill processes, and the data must be where a real server keeps it). About 1 s on this machine.
 * Call `stop()` in afterAll.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDirectory();
  if (bin === undefined) throw new Error(`initdb is not installed. ${HOW_TO_RUN}`);
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'hookspec-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const init = spawnSync(
    join(bin, 'initdb'),
    // --no-sync: the fresh cluster's files need not reach the disk; the server itself runs with fsync on.
    ['-D', data, '--auth=trust', '--encoding=UTF8', '--locale=C', '--username=postgres', '--no-sync'],
    { encoding: 'utf8', ...user },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr || String(init.error)}`);
  }
  for (let tries = 0; ; tries += 1) {
    const port = await freePort();
    const child = spawn(
      join(bin, 'postgres'),
      [
        ...['-D', data, '-k', dir, '-p', String(port)],
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on', '-c', 'max_connections=200'],
        ...['-c', 'shared_buffers=32MB', '-c', 'log_min_messages=fatal'],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...user },
    );
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    let failed = false;
    child.once('exit', () => (failed = true));
    child.once('error', () => (failed = true));
    const deadline = Date.now() + 15_000;
    while (!failed && Date.now() < deadline && !(await accepts(port))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!failed && Date.now() < deadline) return running(child, port, dir);
    child.kill('SIGKILL');
    await exited(child);
    // Another process may have taken the port between freePort() and the server's bind: try another.
    if (tries >= 2) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`postgres did not accept connections on 127.0.0.1:${port}: ${log}. ${HOW_TO_RUN}`);
    }
  }
}

function running(child: ChildProcess, port: number, dir: string): TestPostgres {
  return {
    host: '127.0.0.1',
    port,
    async createDatabase() {
      const name = `test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * pg throws an idle pooled connection's error unless the pool listens for it, as every app must. Listens,
 * and answers the codes seen, for the spec to check: only `57P01` (the server ended the session, as
 * `stop()` and `pg_terminate_backend` do) is expected.
 */
export function recordIdleErrors(pool: Pool): string[] {
  const codes: string[] = [];
  pool.on('error', (error: Error & { code?: string }) => codes.push(error.code ?? error.message));
  return codes;
}

/** The idle errors other than the server ending a session: what a spec expects to be empty. */
export const unexpectedIdleErrors = (codes: string[]): string[] => codes.splice(0).filter((code) => code !== '57P01');
