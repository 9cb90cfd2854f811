/*
 * SqliteQueue's write path in CPU time per message: enqueue, lease and settle on a real file, without the
 * client or the network, so that what is measured is the queue's own SQL. CPU time rather than throughput:
 * on a shared machine wall time moves with the other processes' load, the CPU this process spends much less.
 *
 *   npx tsc -p bench/tsconfig.json && node bench/dist/bench/queues-sqlite-cpu.js
 *   node bench/dist/bench/queues-sqlite-cpu.js --write          and rewrite its section of docs/benchmarks.md
 *   node bench/dist/bench/queues-sqlite-cpu.js --messages=5000 --rounds=3   a quicker run
 *   node --cpu-prof bench/dist/bench/queues-sqlite-cpu.js --only=FULL --rounds=1   profile it
 *   node bench/dist/bench/queues-sqlite-cpu.js --baseline=DIR   and another build's SqliteQueue, in the same
 *                                     rotation (DIR: its compiled lib/queues/sqlite, e.g. of an older commit)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AttemptRecord, Lease, MessageRecord } from '../lib';
import { SqliteQueue } from '../lib/queues/sqlite';
import type { SqliteSynchronous } from '../lib/queues/sqlite/sqlite-queue-options';
import { machine, median, rotatingRounds, table, writeSection } from './report';

const DEFAULT_MESSAGES = 20_000;
const DEFAULT_ROUNDS = 5;
const WARM_UP_ROUNDS = 1;
/** As the client's 64 concurrent producers and 64 delivery slots make them: one group commit each. */
const BATCH = 64;
const LEASE_MS = 30_000;
const ENDPOINT = 'ep_bench';
const URL = 'https://receiver.example.com/webhook';
/** The delivery benchmark's body: 141 bytes of an order. */
const BODY =
  '{"orderId":"ord_100000","customer":"customer-0@example.com","amount":1,"currency":"EUR","items":1,' +
  '"placedAt":"2026-11-01T00:00:00.000Z"}';

type Phase = 'enqueue' | 'lease' | 'settle';
type Round = Record<Phase, number> & { readonly total: number; readonly ms: number };

interface Args {
  readonly messages: number;
  readonly rounds: number;
  readonly modes: readonly SqliteSynchronous[];
  readonly baseline: string | undefined;
  readonly write: boolean;
}

/** The queue's constructor: this build's, or the baseline's. */
type QueueClass = new (options: { path: string; synchronous: SqliteSynchronous }) => SqliteQueue;

interface Side {
  readonly label: string;
  readonly mode: SqliteSynchronous;
  readonly Queue: QueueClass;
}

function parseArgs(args: readonly string[]): Args {
  const value = (name: string): string | undefined =>
    args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const count = (name: string, fallback: number): number => {
    const text = value(name);
    const n = text === undefined ? fallback : Number(text);
    if (!(Number.isInteger(n) && n > 0)) throw new Error(`--${name}= takes a positive whole number; got ${text}`);
    return n;
  };
  const only = value('only');
  const modes: SqliteSynchronous[] = only === undefined ? ['FULL', 'NORMAL'] : [only as SqliteSynchronous];
  if (!modes.every((mode) => mode === 'FULL' || mode === 'NORMAL' || mode === 'OFF')) {
    throw new Error(`--only= takes FULL, NORMAL or OFF; got ${only}`);
  }
  return {
    messages: count('messages', DEFAULT_MESSAGES),
    rounds: count('rounds', DEFAULT_ROUNDS),
    modes,
    baseline: value('baseline'),
    write: args.includes('--write'),
  };
}

/** CPU µs (user + system) of this process spent in `work`, added to `into[phase]`. */
async function timed<T>(into: Record<Phase, number>, phase: Phase, work: () => Promise<T>): Promise<T> {
  const start = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(start);
  into[phase] += used.user + used.system;
  return result;
}

/**
 * One round on a new file: `messages` messages to one endpoint, in batches of BATCH: the batch enqueued
 * by concurrent calls, leased by one lease(), settled delivered by concurrent calls with a 204 attempt.
 * The default retainFinished (10,000) holds, so a long round also prunes as a long-running queue does.
 */
async function round(dir: string, side: Side, messages: number): Promise<Round> {
  const path = join(dir, `cpu-${randomUUID()}.db`);
  const queue = new side.Queue({ path, synchronous: side.mode });
  const cpu: Record<Phase, number> = { enqueue: 0, lease: 0, settle: 0 };
  const start = performance.now();
  let now = Date.UTC(2026, 11, 1);
  try {
    for (let sent = 0; sent < messages; sent += BATCH) {
      const size = Math.min(BATCH, messages - sent);
      now += 1;
      const batch: MessageRecord[] = Array.from({ length: size }, () => ({
        id: `msg_${randomUUID()}`,
        event: 'order-placed',
        body: BODY,
        createdAt: now,
      }));
      await timed(cpu, 'enqueue', () =>
        Promise.all(
          batch.map((message) => queue.enqueue(message, [{ endpointId: ENDPOINT, url: URL, nextAttemptAt: now }])),
        ),
      );
      const leases: Lease[] = await timed(cpu, 'lease', () =>
        queue.lease({ now, limit: size, leaseMs: LEASE_MS, endpointCapacity: () => size }),
      );
      if (leases.length !== size) throw new Error(`leased ${leases.length} of a batch of ${size}`);
      const attempt: AttemptRecord = { attempt: 1, startedAt: now, durationMs: 1, status: 204, response: '' };
      const settled = await timed(cpu, 'settle', () =>
        Promise.all(leases.map((lease) => queue.settle(lease, attempt, { status: 'delivered' }))),
      );
      if (!settled.every(Boolean)) throw new Error('a settle found its lease gone');
    }
    if ((await queue.countPending()) !== 0) throw new Error('deliveries were left pending');
  } finally {
    await queue.close();
    rmSync(path, { force: true });
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
  }
  const per = (micros: number): number => micros / messages;
  return {
    enqueue: per(cpu.enqueue),
    lease: per(cpu.lease),
    settle: per(cpu.settle),
    total: per(cpu.enqueue + cpu.lease + cpu.settle),
    ms: performance.now() - start,
  };
}

/** With --baseline: each mode's median CPU per message, this build / the baseline. */
function baselineRatios(results: readonly { side: Side; rounds: Round[] }[], baseline: string | undefined): string[] {
  if (baseline === undefined) return [];
  const total = (side: Side | undefined): number =>
    median(results.find((result) => result.side === side)?.rounds.map((r) => r.total) ?? [Number.NaN]);
  const ratios = results
    .filter(({ side }) => side.Queue === SqliteQueue)
    .map(({ side }) => {
      const other = results.find((result) => result.side.Queue !== SqliteQueue && result.side.mode === side.mode);
      return `${side.mode} ${(total(side) / total(other?.side)).toFixed(2)}`;
    });
  return ['', `CPU per message, this build / the baseline (${baseline}): ${ratios.join(', ')}.`];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'hookspec-sqlite-cpu-'));
  const before = machine();
  try {
    const sides: Side[] = args.modes.map((mode) => ({ label: `synchronous ${mode}`, mode, Queue: SqliteQueue }));
    if (args.baseline !== undefined) {
      // A path known only at run time, of a build outside this one.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { SqliteQueue: Baseline } = require(resolve(args.baseline)) as { SqliteQueue: QueueClass };
      for (const mode of args.modes) sides.push({ label: `synchronous ${mode}, baseline`, mode, Queue: Baseline });
    }
    const results = await rotatingRounds(
      sides,
      { warmUp: WARM_UP_ROUNDS, timed: args.rounds },
      async (side, label) => {
        process.stderr.write(`  ${side.label}, ${label}…`);
        const r = await round(dir, side, args.messages);
        process.stderr.write(` ${r.total.toFixed(1)} µs CPU/message\n`);
        return r;
      },
      () => undefined,
    );
    const f = (n: number): string => n.toFixed(1);
    const rows = results.map(({ side, rounds }) => [
      side.label,
      f(median(rounds.map((r) => r.enqueue))),
      f(median(rounds.map((r) => r.lease))),
      f(median(rounds.map((r) => r.settle))),
      f(median(rounds.map((r) => r.total))),
      f(Math.min(...rounds.map((r) => r.total))),
      String(rounds.length),
    ]);
    const section = [
      `Measured on ${new Date().toISOString().slice(0, 10)}: ${before}. ` +
        `${args.messages.toLocaleString('en-US')} messages per round to one endpoint, in batches of ${BATCH} ` +
        `(enqueued by concurrent calls, one lease(), settled delivered by concurrent calls), on a new file; ` +
        `${WARM_UP_ROUNDS} warm-up round, then ${args.rounds} timed rounds in rotating order.`,
      '',
      table([['SqliteQueue', 'enqueue µs', 'lease µs', 'settle µs', 'CPU µs/message', 'best', 'rounds'], ...rows]),
      ...baselineRatios(results, args.baseline),
    ].join('\n');
    console.log(`\n${section}`);
    if (args.write) writeSection('queues-sqlite-cpu', section);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
