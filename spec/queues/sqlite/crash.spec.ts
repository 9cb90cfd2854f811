import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileChildren, PROJECT_NODE_MODULES } from '../compile-children';
import { startRecordingServer } from '../../support/recording-server';
import { tempDirectory } from './temp-files';

const temp = tempDirectory('crash');
const children = new Set<ChildProcess>();
let child = '';

beforeAll(async () => {
  child = (await compileChildren(temp.file('build'))).script('sqlite/crash-child');
}, 180_000);

afterAll(() => {
  for (const running of children) running.kill('SIGKILL');
  temp.remove();
});

const COUNT = 1_000;

/** A loopback receiver that records every webhook-id, answering each request after `delayMs`. */
async function startRecorder(delayMs: number) {
  const server = await startRecordingServer({ answer: () => ({ status: 204, delayMs }) });
  return {
    url: `${server.url}/hooks`,
    get received(): { id: string; body: string }[] {
      return server.requests.map((request) => ({ id: String(request.headers['webhook-id']), body: request.body }));
    },
    close: () => server.close(),
  };
}

/** A running child: the ids it has printed as accepted, and a way to wait for one of its lines. */
function runChild(mode: 'accept' | 'send' | 'deliver', database: string, url: string, count: number) {
  const proc = spawn(process.execPath, [child, mode, database, url, String(count)], {
    env: { ...process.env, NODE_PATH: PROJECT_NODE_MODULES },
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
    const text = partial + chunk.toString();
    const complete = text.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) {
      if (line.startsWith('accepted ')) accepted.push(line.slice('accepted '.length));
      else lines.add(line);
    }
  });
  /** Resolves when `test()` holds, checked every 10 ms; rejects after `timeoutMs` or if the child dies first. */
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
  return { proc, accepted, lines, exited, until, stderr: () => stderr };
}

/** Every accepted id arrived at least once, always with the same body; returns the duplicates. */
function checkArrivals(accepted: readonly string[], received: readonly { id: string; body: string }[]) {
  const bodies = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  for (const { id, body } of received) {
    counts.set(id, (counts.get(id) ?? 0) + 1);
    bodies.set(id, (bodies.get(id) ?? new Set()).add(body));
  }
  const lost = accepted.filter((id) => !counts.has(id));
  const changed = [...bodies].filter(([, set]) => set.size > 1).map(([id]) => id);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
  return { lost, changed, duplicates };
}

describe('SqliteQueue survives kill -9 of the process that holds it', () => {
  it('during delivery: a new process delivers the rest, losing nothing', { timeout: 120_000 }, async () => {
    const receiver = await startRecorder(10);
    try {
      const database = join(temp.file('during-delivery.db'));
      const first = runChild('send', database, receiver.url, COUNT);
      await first.until('all-accepted', () => first.lines.has('all-accepted'));
      await first.until('100 deliveries', () => receiver.received.length >= 100);
      first.proc.kill('SIGKILL');
      await first.exited;
      const atKill = receiver.received.length;
      expect(first.accepted).toHaveLength(COUNT);
      expect(atKill).toBeLessThan(COUNT);

      const second = runChild('deliver', database, receiver.url, 0);
      await second.until('drained', () => second.lines.has('drained'), 90_000);
      expect(await second.exited).toBe(0);

      const { lost, changed, duplicates } = checkArrivals(first.accepted, receiver.received);
      console.log(
        `kill -9 during delivery: ${atKill} requests before the kill, ${receiver.received.length} in all; ` +
          `${duplicates.length} delivered twice (in flight at the kill): ${duplicates.join(', ') || 'none'}`,
      );
      expect(lost).toEqual([]);
      expect(changed).toEqual([]);
      expect(new Set(receiver.received.map((r) => r.id)).size).toBe(COUNT);
    } finally {
      await receiver.close();
    }
  });

  it(
    'right after send() resolved, before any attempt: a new process delivers every accepted event',
    {
      timeout: 120_000,
    },
    async () => {
      const receiver = await startRecorder(0);
      try {
        const database = join(temp.file('before-attempt.db'));
        const first = runChild('accept', database, receiver.url, COUNT);
        await first.until('all-accepted', () => first.lines.has('all-accepted'));
        first.proc.kill('SIGKILL');
        await first.exited;
        expect(first.accepted).toHaveLength(COUNT);
        expect(receiver.received).toEqual([]);

        const second = runChild('deliver', database, receiver.url, 0);
        await second.until('drained', () => second.lines.has('drained'), 90_000);
        expect(await second.exited).toBe(0);

        const { lost, changed, duplicates } = checkArrivals(first.accepted, receiver.received);
        console.log(`kill -9 after accepting: ${duplicates.length} duplicates: ${duplicates.join(', ') || 'none'}`);
        expect(lost).toEqual([]);
        expect(changed).toEqual([]);
        expect(receiver.received).toHaveLength(COUNT);
      } finally {
        await receiver.close();
      }
    },
  );
});
