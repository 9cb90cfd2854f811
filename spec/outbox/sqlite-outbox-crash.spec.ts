import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { IsInt, IsString } from 'class-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret, Webhook, WebhookClient } from '../../lib';
import { SqliteQueue } from '../../lib/queues/sqlite';
import { compileChildren, PROJECT_NODE_MODULES } from '../queues/compile-children';
import { tempDirectory } from '../queues/sqlite/temp-files';
import { startRecordingServer } from '../support/recording-server';

@Webhook('order.placed')
class OrderPlaced {
  @IsString() orderId!: string;
  @IsInt() total!: number;
}

const temp = tempDirectory('sqlite-outbox-crash');
let child = '';

beforeAll(async () => {
  child = (await compileChildren(temp.file('build'))).script('../outbox/sqlite-outbox-child');
}, 180_000);

afterAll(() => temp.remove());

const COUNT = 25;

/** Runs the child to its own SIGKILL; resolves with the ids it printed and how it ended. */
function runChild(path: string, url: string) {
  return new Promise<{ committed: string[]; rolledBack: string[]; signal: string | null; stderr: string }>(
    (resolve, reject) => {
      const proc = spawn(process.execPath, [child, path, url, String(COUNT)], {
        env: { ...process.env, NODE_PATH: PROJECT_NODE_MODULES },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
      proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      proc.on('error', reject);
      proc.on('exit', (_code, signal) => {
        clearTimeout(timer);
        const lines = stdout.split('\n');
        const ids = (prefix: string) => lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
        resolve({ committed: ids('committed '), rolledBack: ids('rolled-back '), signal, stderr });
      });
    },
  );
}

describe('SqliteQueue outbox survives kill -9 between the commit and the first attempt', () => {
  it(
    'a new process delivers every committed message, and never the rolled-back one',
    { timeout: 120_000 },
    async () => {
      const receiver = await startRecordingServer();
      const path = temp.file('app.db');
      try {
        const killed = await runChild(path, `${receiver.url}/hook`);
        expect(killed.stderr).toBe('');
        expect(killed.signal).toBe('SIGKILL');
        expect(killed.committed).toHaveLength(COUNT);
        expect(killed.rolledBack).toHaveLength(1);
        // Killed in the turn of the commit: nothing was attempted.
        expect(receiver.requests).toEqual([]);

        // The next process: the app restarts on its database, and its worker routes what was committed.
        const db = new Database(path);
        const client = new WebhookClient({
          webhooks: [OrderPlaced],
          endpoints: [{ id: 'shop', url: `${receiver.url}/hook`, secret: generateSecret() }],
          allowNetworks: ['127.0.0.0/8'],
          queue: new SqliteQueue({ database: db }),
        });
        try {
          await client.drain();
          const received = receiver.on('/hook').map((request) => String(request.headers['webhook-id']));
          expect(new Set(received)).toEqual(new Set(killed.committed));
          expect(received).toHaveLength(COUNT);
          expect(received).not.toContain(killed.rolledBack[0]);
          expect(db.prepare('SELECT count(*) FROM orders').pluck().get()).toBe(COUNT);
          expect(db.prepare('SELECT count(*) FROM hookspec_outbox').pluck().get()).toBe(0);
        } finally {
          await client.close();
          db.close();
        }
      } finally {
        await receiver.close();
      }
    },
  );
});
