import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret, WebhookClient } from '../../../lib';
import { PostgresQueue } from '../../../lib/queues/postgres';
import { postgresAvailable, startPostgres, type TestPostgres } from '../../support/postgres-server';
import { compileChildren, PROJECT_NODE_MODULES } from '../compile-children';
import { checkArrivals, startOverlapReceiver } from './overlap-receiver';
import { ProcessEvent } from './process-event';

const COUNT = 1_000;

describe.runIf(postgresAvailable())('PostgresQueue worker processes on one database', () => {
  let server: TestPostgres;
  let database = '';
  let schemas = 0;
  let script = '';
  let build = '';
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    build = mkdtempSync(join(tmpdir(), 'hookspec-pg-children-'));
    [server, script] = await Promise.all([
      startPostgres(),
      compileChildren(build).then((compiled) => compiled.script('postgres/worker-child')),
    ]);
    database = await server.createDatabase();
  }, 180_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await server?.stop();
    if (build) rmSync(build, { recursive: true, force: true });
  });

  /** A child (worker-child.ts): the ids it printed as accepted, its other lines, and a way to wait for them. */
  function runChild(mode: 'work' | 'accept' | 'deliver', settings: { schema: string; url: string; worker: string }) {
    const proc = spawn(process.execPath, [script], {
      env: {
        ...process.env,
        NODE_PATH: PROJECT_NODE_MODULES,
        HS_MODE: mode,
        HS_DATABASE: database,
        HS_SCHEMA: settings.schema,
        HS_URL: settings.url,
        HS_WORKER: settings.worker,
        HS_COUNT: String(COUNT),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(proc);
    const accepted: string[] = [];
    const lines = new Set<string>();
    let stderr = '';
    let partial = '';
    const exited = new Promise<number | null>((resolve) =>
      proc.on('exit', (code) => {
        children.delete(proc);
        resolve(code);
      }),
    );
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout.on('data', (chunk: Buffer) => {
      const complete = (partial + chunk.toString()).split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) {
        if (line.startsWith('accepted ')) accepted.push(line.slice('accepted '.length));
        else lines.add(line);
      }
    });
    /** Resolves when `test()` holds; rejects after `timeoutMs`, or if the child exits first. */
    const until = async (what: string, test: () => boolean, timeoutMs = 60_000): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (!test()) {
        if (proc.exitCode !== null)
          throw new Error(`child (${mode}) exited with ${proc.exitCode} before ${what}:\n${stderr}`);
        if (Date.now() > deadline)
          throw new Error(`child (${mode}) did not reach ${what} in ${timeoutMs} ms:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const kill = async (signal: NodeJS.Signals) => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    };
    return { proc, accepted, lines, until, kill, exited };
  }

  /** A producer in this process (worker off) that sends COUNT events to `url` and answers their ids. */
  async function produce(schema: string, url: string): Promise<string[]> {
    const producer = new WebhookClient({
      webhooks: [ProcessEvent],
      endpoints: [{ id: 'receiver', url, secret: generateSecret() }],
      allowNetworks: ['127.0.0.0/8'],
      queue: new PostgresQueue({ connectionString: database, schema }),
      worker: false,
    });
    try {
      const ids: string[] = [];
      for (let first = 0; first < COUNT; first += 50) {
        const batch = Array.from({ length: 50 }, (_, i) =>
          Object.assign(new ProcessEvent(), { label: `event-${first + i}`, n: first + i }),
        );
        for (const { id } of await Promise.all(batch.map((event) => producer.send(event)))) ids.push(id);
      }
      return ids;
    } finally {
      await producer.close();
    }
  }

  const byWorker = (arrivals: readonly { worker: string }[]) => {
    const counts: Record<string, number> = {};
    for (const { worker } of arrivals) counts[worker] = (counts[worker] ?? 0) + 1;
    return counts;
  };

  it(
    'two workers share 1,000 messages: each delivered once, never two attempts of one message at once',
    { timeout: 150_000 },
    async () => {
      const receiver = await startOverlapReceiver(5);
      const schema = `processes_${++schemas}`;
      try {
        const workers = ['a', 'b'].map((worker) => runChild('work', { schema, url: receiver.url, worker }));
        await Promise.all(workers.map((worker) => worker.until('ready', () => worker.lines.has('ready'))));
        const ids = await produce(schema, receiver.url);
        await expect.poll(() => receiver.distinct(), { timeout: 90_000, interval: 100 }).toBe(COUNT);
        await Promise.all(workers.map((worker) => worker.kill('SIGTERM')));

        const { lost, changed, duplicates, unexpected } = checkArrivals(ids, receiver.arrivals);
        const shares = byWorker(receiver.arrivals);
        console.log(`two worker processes: ${JSON.stringify(shares)}`);
        expect({ lost, changed, duplicates, unexpected }).toEqual({
          lost: [],
          changed: [],
          duplicates: [],
          unexpected: [],
        });
        expect(receiver.overlaps).toEqual([]);
        expect(shares.a).toBeGreaterThan(0);
        expect(shares.b).toBeGreaterThan(0);
      } finally {
        await receiver.close();
      }
    },
  );

  it(
    'kill -9 of one worker mid-run: the other delivers the rest, losing nothing, repeating only with the same webhook-id',
    { timeout: 150_000 },
    async () => {
      const receiver = await startOverlapReceiver(10);
      const schema = `processes_${++schemas}`;
      try {
        const [a, b] = ['a', 'b'].map((worker) => runChild('work', { schema, url: receiver.url, worker })) as [
          ReturnType<typeof runChild>,
          ReturnType<typeof runChild>,
        ];
        await Promise.all([a, b].map((worker) => worker.until('ready', () => worker.lines.has('ready'))));
        const ids = await produce(schema, receiver.url);
        await a.until('200 deliveries', () => receiver.arrivals.length >= 200);
        await a.kill('SIGKILL');
        const atKill = receiver.arrivals.length;
        expect(atKill).toBeLessThan(COUNT);
        await expect.poll(() => receiver.distinct(), { timeout: 90_000, interval: 100 }).toBe(COUNT);
        await b.kill('SIGTERM');

        const { lost, changed, duplicates, unexpected } = checkArrivals(ids, receiver.arrivals);
        console.log(
          `kill -9 of a worker: ${atKill} requests before the kill, ${receiver.arrivals.length} in all ` +
            `(${JSON.stringify(byWorker(receiver.arrivals))}); delivered twice (in flight at the kill): ` +
            `${duplicates.join(', ') || 'none'}`,
        );
        expect({ lost, changed, unexpected }).toEqual({ lost: [], changed: [], unexpected: [] });
        expect(receiver.overlaps).toEqual([]);
      } finally {
        await receiver.close();
      }
    },
  );

  it(
    'kill -9 right after send() resolved, before any attempt: a new worker delivers every accepted event once',
    { timeout: 150_000 },
    async () => {
      const receiver = await startOverlapReceiver(0);
      const schema = `processes_${++schemas}`;
      try {
        const producer = runChild('accept', { schema, url: receiver.url, worker: 'producer' });
        await producer.until('all-accepted', () => producer.lines.has('all-accepted'));
        await producer.kill('SIGKILL');
        expect(producer.accepted).toHaveLength(COUNT);
        expect(receiver.arrivals).toEqual([]);

        const worker = runChild('deliver', { schema, url: receiver.url, worker: 'after' });
        await worker.until('drained', () => worker.lines.has('drained'), 90_000);
        expect(await worker.exited).toBe(0);
        const { lost, changed, duplicates, unexpected } = checkArrivals(producer.accepted, receiver.arrivals);
        expect({ lost, changed, duplicates, unexpected }).toEqual({
          lost: [],
          changed: [],
          duplicates: [],
          unexpected: [],
        });
        expect(receiver.arrivals).toHaveLength(COUNT);
      } finally {
        await receiver.close();
      }
    },
  );
});
