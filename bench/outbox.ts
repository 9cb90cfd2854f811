/*
 * What the transactional outbox adds to the caller's transaction: the latency of one business
 * transaction (BEGIN, INSERT an order, COMMIT) on its own, with `client.send(order, { tx })` inside it,
 * and with the webhook sent by a plain `send()` after the commit (the dual write the outbox replaces),
 * one transaction at a time on a private PostgreSQL cluster on loopback (bench/postgres-process.ts).
 * Validation and serialisation are part of both sends; the outbox's one INSERT is what `{ tx }` adds
 * inside the transaction. No worker runs: only the sending side is timed.
 *
 *   npm run bench:outbox                  print the figures
 *   npm run bench:outbox -- --write       and rewrite the outbox section of docs/benchmarks.md
 *   --transactions=N --rounds=N          smaller or longer runs
 */
import 'reflect-metadata';
import { IsInt, IsString } from 'class-validator';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { generateSecret, Webhook, WebhookClient } from '../lib';
import { PostgresQueue } from '../lib/queues/postgres';
import { PostgresProcess } from './postgres-process';
import { machine, median, rotatingRounds, table, writeSection } from './report';

@Webhook('order.placed')
class OrderPlaced {
  @IsString() orderId!: string;
  @IsInt() total!: number;
}

type Side = 'order only' | 'order + send({ tx }) inside' | 'order, then send() after commit';
const SIDES: readonly Side[] = ['order only', 'order + send({ tx }) inside', 'order, then send() after commit'];

interface Round {
  /** Per transaction, milliseconds, in order. */
  readonly latencies: number[];
}

const argument = (name: string, fallback: number): number => {
  const found = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return found === undefined ? fallback : Number(found.slice(name.length + 3));
};

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] as number;
};

async function main(): Promise<void> {
  const transactions = argument('transactions', 2_000);
  const timed = argument('rounds', 5);
  const postgres = await PostgresProcess.start({ statements: false });
  const pool = new Pool({ connectionString: await postgres.createDatabase(), max: 4 });
  pool.on('error', () => {});
  await pool.query('CREATE TABLE orders (id text PRIMARY KEY, total integer NOT NULL)');
  const client = new WebhookClient({
    webhooks: [OrderPlaced],
    endpoints: [{ id: 'shop', url: 'http://127.0.0.1:9/hook', secret: generateSecret() }],
    allowNetworks: ['127.0.0.0/8'],
    queue: new PostgresQueue({ pool }),
    worker: false,
  });
  let next = 0;
  try {
    // The schema is made before any round.
    await client.send(Object.assign(new OrderPlaced(), { orderId: 'warm', total: 1 }));
    const results = await rotatingRounds<Side, Round>(
      SIDES,
      { warmUp: 1, timed },
      async (side) => {
        const latencies: number[] = [];
        const tx = await pool.connect();
        try {
          for (let i = 0; i < transactions; i++) {
            const order = Object.assign(new OrderPlaced(), { orderId: `o-${(next += 1)}`, total: i });
            const started = performance.now();
            await tx.query('BEGIN');
            await tx.query('INSERT INTO orders VALUES ($1, $2)', [order.orderId, order.total]);
            if (side === 'order + send({ tx }) inside') await client.send(order, { tx });
            await tx.query('COMMIT');
            if (side === 'order, then send() after commit') await client.send(order);
            latencies.push(performance.now() - started);
          }
        } finally {
          tx.release();
        }
        // Nothing routes or delivers here: the rows the sends wrote are cleared between rounds.
        await pool.query('TRUNCATE hookspec.outbox, hookspec.messages CASCADE');
        return { latencies };
      },
      (side, round, index) => {
        console.log(
          `  round ${index + 1} ${side.padEnd(32)} median ${median(round.latencies).toFixed(3)} ms  ` +
            `p99 ${percentile(round.latencies, 99).toFixed(3)} ms`,
        );
      },
    );
    const figure = (side: Side) => {
      const rounds = results.find((result) => result.side === side)?.rounds ?? [];
      return {
        median: median(rounds.map((round) => median(round.latencies))),
        p99: median(rounds.map((round) => percentile(round.latencies, 99))),
      };
    };
    const base = figure('order only');
    const rows = SIDES.map((side) => {
      const { median: m, p99 } = figure(side);
      return [
        side,
        `${m.toFixed(3)} ms`,
        `${p99.toFixed(3)} ms`,
        side === 'order only' ? '—' : `+${(m - base.median).toFixed(3)} ms`,
      ];
    });
    const section = [
      `Measured on ${machine()}: ${transactions.toLocaleString('en-US')} transactions a round, one at a time, ` +
        `${timed} timed rounds in rotating order after a warm-up; median of the rounds' medians and p99s. ` +
        'PostgreSQL 15 on loopback, fsync on, one connection.',
      '',
      table([['Transaction', 'Median', 'p99', 'Added to the order alone'], ...rows]),
    ].join('\n');
    console.log(`\n${section}`);
    if (process.argv.includes('--write')) writeSection('outbox', section);
  } finally {
    await client.close();
    await pool.end();
    await postgres.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
