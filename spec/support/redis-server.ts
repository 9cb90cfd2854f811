import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type AddressInfo } from 'node:net';

/** A redis-server this test file started on loopback, with persistence off. */
export interface TestRedis {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  stop(): Promise<void>;
}

const REDIS_SERVER = 'redis-server';
const HOW_TO_RUN =
  'The Redis suites need redis-server 7 on PATH (Debian/Ubuntu: `apt-get install redis-server`); ' +
  'each suite starts its own on a free loopback port.';

/**
 * Whether the Redis suites can run here. Without redis-server they are skipped locally, with a message
 * saying how to run them; under CI=true its absence is a failure, so CI cannot pass by skipping them.
 */
export function redisAvailable(): boolean {
  const found = spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' }).status === 0;
  if (found) return true;
  if (process.env.CI === 'true') throw new Error(`redis-server is not installed, and CI=true. ${HOW_TO_RUN}`);
  console.warn(`Skipping the Redis suites: redis-server is not installed. ${HOW_TO_RUN}`);
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

/** One PING over a raw socket: true once the server answers PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts redis-server on a free 127.0.0.1 port without persistence (no RDB snapshots, no AOF) and waits
 * for PING. Call `stop()` in afterAll: it ends the server (SIGTERM, then SIGKILL) and waits for it.
 */
export async function startRedis(): Promise<TestRedis> {
  for (let tries = 0; ; tries += 1) {
    const port = await freePort();
    const child = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let failed = false;
    child.once('exit', () => (failed = true));
    child.once('error', () => (failed = true));
    const deadline = Date.now() + 10_000;
    while (!failed && Date.now() < deadline && !(await ping(port))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!failed && Date.now() < deadline) {
      const stop = async () => {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited(child);
        clearTimeout(timer);
      };
      return { host: '127.0.0.1', port, url: `redis://127.0.0.1:${port}`, stop };
    }
    child.kill('SIGKILL');
    await exited(child);
    // Another process may have taken the port between freePort() and the server's bind: try another.
    if (tries >= 2) throw new Error(`redis-server did not answer PING on 127.0.0.1:${port}. ${HOW_TO_RUN}`);
  }
}
