// Run by sqlite-outbox-crash.spec.ts as compiled JavaScript (see spec/queues/compile-children.ts), never
// by vitest:   node sqlite-outbox-child.js <database> <receiver url> <count>
// The app's process: a client with its worker on, on a SqliteQueue given the app's database. It rolls
// one order back (printing "rolled-back <id>"), then places <count> orders in one transaction, prints
// "committed <id>" for each once COMMIT has returned, and kills itself with SIGKILL in the same
// synchronous turn: after the commit, before anything else can run (routing, the first attempt).
import 'reflect-metadata';
import Database from 'better-sqlite3';
import { IsInt, IsString } from 'class-validator';
import { generateSecret, Webhook, WebhookClient } from '../../lib';
import { SqliteQueue } from '../../lib/queues/sqlite';

@Webhook('order.placed')
class OrderPlaced {
  @IsString() orderId!: string;
  @IsInt() total!: number;
}

async function main(): Promise<void> {
  const [path = '', url = '', countText = '0'] = process.argv.slice(2);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, total INTEGER NOT NULL)');
  const client = new WebhookClient({
    webhooks: [OrderPlaced],
    endpoints: [{ id: 'shop', url, secret: generateSecret() }],
    allowNetworks: ['127.0.0.0/8'],
    queue: new SqliteQueue({ database: db }),
  });
  const order = (orderId: string) => Object.assign(new OrderPlaced(), { orderId, total: 100 });
  const insert = db.prepare('INSERT INTO orders (id, total) VALUES (?, ?)');

  db.exec('BEGIN');
  insert.run('rolled-back', 1);
  const rolledBack = await client.send(order('rolled-back'), { tx: db });
  db.exec('ROLLBACK');
  process.stdout.write(`rolled-back ${rolledBack.id}\n`);

  const ids: string[] = [];
  db.exec('BEGIN');
  for (let n = 0; n < Number(countText); n += 1) {
    insert.run(`order-${n}`, 100);
    ids.push((await client.send(order(`order-${n}`), { tx: db })).id);
  }
  db.exec('COMMIT');
  // A pipe to the parent is written synchronously: every line is out before the kill.
  for (const id of ids) process.stdout.write(`committed ${id}\n`);
  process.kill(process.pid, 'SIGKILL');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
