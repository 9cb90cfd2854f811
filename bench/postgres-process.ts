// A throw-away PostgreSQL cluster for bench/queues-postgres.ts: initdb into a temporary directory, the
// server on a free 127.0.0.1 port with fsync on (what a durable queue is measured against), a fresh
// database per round, stopped (and its directory removed) by stop().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
/** Linux's USER_HZ: /proc/PID/stat counts CPU time in these ticks. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The directory holding initdb and postgres: on PATH, or Debian's /usr/lib/postgresql/<newest>/bin. */
function binDirectory(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim() !== '') return join(onPath.stdout.trim(), '..');
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((name) => existsSync(join(debian, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) {
    throw new Error('the PostgreSQL bench needs initdb and postgres (Debian/Ubuntu: `apt-get install postgresql`)');
  }
  return join(debian, versions[0], 'bin');
}

/** initdb and postgres refuse to run as root: as root, they run as `nobody`, who then owns the directory. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

export class PostgresProcess {
  private databases = 0;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** `statements`: load pg_stat_statements, for --statements (it costs a little on every statement). */
  static async start(options: { statements: boolean }): Promise<PostgresProcess> {
    const bin = binDirectory();
    const user = runAs();
    const dir = mkdtempSync(join(tmpdir(), 'hookspec-bench-pg-'));
    if (user) chownSync(dir, user.uid, user.gid);
    const data = join(dir, 'data');
    const init = spawnSync(
      join(bin, 'initdb'),
      ['-D', data, '--auth=trust', '--encoding=UTF8', '--locale=C', '--username=postgres', '--no-sync'],
      { encoding: 'utf8', ...user },
    );
    if (init.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`initdb failed (${init.status}): ${init.stderr || String(init.error)}`);
    }
    let lastError: unknown;
    // Another process may take the port between the probe and the server's bind: try another.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await PostgresProcess.startOnce(bin, data, dir, await freePort(), user, options.statements);
      } catch (error) {
        lastError = error;
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw lastError;
  }

  private static async startOnce(
    bin: string,
    data: string,
    dir: string,
    port: number,
    user: { uid: number; gid: number } | undefined,
    statements: boolean,
  ): Promise<PostgresProcess> {
    // The server's defaults, but for a socket in the temporary directory and loopback only: the queues are
    // measured on the configuration a user starts from. fsync on: a durable queue pays for its commits.
    const child = spawn(
      join(bin, 'postgres'),
      [
        ...['-D', data, '-k', dir, '-p', String(port)],
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on', '-c', 'max_connections=200'],
        ...['-c', 'log_min_messages=fatal'],
        ...(statements ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...user },
    );
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    let exited = false;
    child.once('exit', () => (exited = true));
    child.once('error', () => (exited = true));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!exited && Date.now() < deadline) {
      if (await accepts(port)) {
        child.stderr?.resume();
        return new PostgresProcess(child, dir, port);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`postgres did not accept connections on 127.0.0.1:${port}: ${log}`);
  }

  /** Creates an empty database and answers its connection string. */
  async createDatabase(): Promise<string> {
    this.databases += 1;
    const name = `bench_${process.pid}_${this.databases}`;
    await this.admin(`CREATE DATABASE ${name}`);
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  /** Drops a database made by createDatabase() (every connection to it must be closed). */
  async dropDatabase(connectionString: string): Promise<void> {
    const name = new URL(connectionString).pathname.slice(1);
    await this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }

  private async admin(statement: string): Promise<void> {
    const client = new Client({ host: '127.0.0.1', port: this.port, user: 'postgres', database: 'postgres' });
    client.on('error', () => {});
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  /**
   * The CPU time (user + system, milliseconds) of the server and every process it forked that is alive
   * now: the backends of the round's connections and the background writers. Linux only, else undefined.
   */
  cpuMs(): number | undefined {
    const root = this.child.pid;
    if (root === undefined) return undefined;
    try {
      let total = 0;
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const fields = stat(entry);
        if (!fields) continue;
        // After the command name: state, ppid, … utime (12th), stime (13th).
        if (Number(entry) !== root && Number(fields[1]) !== root) continue;
        total += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
      }
      return total;
    } catch {
      return undefined;
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      // SIGINT: fast shutdown, open sessions are ended.
      this.child.kill('SIGINT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** For an exit handler, where nothing can be awaited. */
  killNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The fields of /proc/PID/stat after the command name (which may hold spaces), or undefined once it is gone. */
function stat(pid: string): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no free TCP port on 127.0.0.1'));
        else resolve(address.port);
      });
    });
  });
}
