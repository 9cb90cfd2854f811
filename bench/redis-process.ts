// A throw-away redis-server for bench/queues.ts: on a free loopback port, persistence off, in a temporary
// directory, stopped (and its directory removed) by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
/** Linux's USER_HZ: /proc/PID/stat counts CPU time in these ticks. */
const CLOCK_TICKS_PER_SECOND = 100;

export class RedisProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    private readonly admin: Redis,
  ) {}

  /** Starts redis-server (from PATH) on 127.0.0.1; a port taken between the probe and the start is retried. */
  static async start(): Promise<RedisProcess> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await RedisProcess.startOnce(await freePort());
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  private static async startOnce(port: number): Promise<RedisProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'hookspec-bench-redis-'));
    // Persistence off (no RDB, no AOF): the benchmark measures the queues, not Redis's disk.
    const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'];
    const child = spawn('redis-server', [...args, '--dir', dir, '--protected-mode', 'yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`redis-server did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`)),
          START_TIMEOUT_MS,
        );
        const onData = (chunk: Buffer): void => {
          output += chunk.toString('utf8');
          if (output.includes('Ready to accept connections')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('error', (error) => {
          clearTimeout(timer);
          reject(new Error(`could not run redis-server (is it installed and on PATH?): ${error.message}`));
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited (code ${code}) while starting:\n${output}`));
        });
      });
    } catch (error) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    // Past start-up its log is not needed, but a full pipe would block it.
    child.stdout?.resume();
    child.stderr?.resume();
    const admin = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
    await admin.connect();
    return new RedisProcess(child, dir, port, admin);
  }

  /** ioredis options for BullMQ (its workers need `maxRetriesPerRequest: null`). */
  get connection(): { host: string; port: number; maxRetriesPerRequest: null } {
    return { host: '127.0.0.1', port: this.port, maxRetriesPerRequest: null };
  }

  /** Empties every database, so that each round starts from nothing. */
  async flush(): Promise<void> {
    await this.admin.flushall();
  }

  /** redis-server's CPU time so far (user + system), in milliseconds; Linux only, else undefined. */
  cpuMs(): number | undefined {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      // The command name, in parentheses, may hold spaces: count the fields after it.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return undefined;
    }
  }

  async stop(): Promise<void> {
    this.admin.disconnect();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      // SIGTERM: with persistence off, redis-server exits without writing anything.
      this.child.kill('SIGTERM');
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
