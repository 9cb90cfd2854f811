/*
 * The message history on a large queue: 100,000 messages of 1,000 owners to 3,000 endpoints, in mixed
 * states, in `MemoryQueue` and `SqliteQueue`; then the time of the listings a dashboard makes. A figure,
 * not a test: it shows that a page costs what a page costs, not what the history holds.
 *
 *   npm run bench:history                  print the figures
 *   npm run bench:history -- --write       and rewrite the history section of docs/benchmarks.md
 *   npm run bench:history -- --messages=20000   a quicker run
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DeliveryQueue, Lease, MessageHistory, MessageQuery, NewDelivery, Settlement } from '../lib/delivery';
import { MemoryQueue } from '../lib/queues/memory';
import { SqliteQueue } from '../lib/queues/sqlite';
import { machine, median, table, writeSection } from './report';

type HistoryQueue = DeliveryQueue & MessageHistory;

const OWNERS = 1_000;
const ENDPOINTS_PER_OWNER = 3;
const EVENTS = ['order.paid', 'order.refunded', 'order.shipped', 'user.created', 'user.deleted'];
const T0 = 1_700_000_000_000;
const FAR = T0 + 365 * 86_400_000;
const REPEATS = 30;
const PAGE = 50;
/** The deep page: this many pages in, reached through the cursors. */
const DEPTH = 1_000;

/** The same pseudo-random sequence on every run and for both queues. */
function* numbers(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    yield x / 2_147_483_648;
  }
}

type Fate = 'pending' | 'failing' | 'delivered' | 'exhausted' | 'disabled';

/** 70 % delivered, 10 % failing, 8 % exhausted, 5 % disabled at send time, 7 % still waiting. */
function fateOf(r: number): Fate {
  if (r < 0.7) return 'delivered';
  if (r < 0.8) return 'failing';
  if (r < 0.88) return 'exhausted';
  if (r < 0.93) return 'disabled';
  return 'pending';
}

async function fill(queue: HistoryQueue, count: number): Promise<void> {
  const random = numbers(42);
  const next = () => random.next().value as number;
  const fates = new Map<string, Fate>();
  for (let n = 0; n < count; n += 1) {
    const owner = Math.floor(next() * OWNERS);
    const deliveries: NewDelivery[] = [];
    const firstEndpoint = Math.floor(next() * ENDPOINTS_PER_OWNER);
    const endpointCount = next() < 0.4 ? 2 : 1;
    for (let e = 0; e < endpointCount; e += 1) {
      const endpointId = `ep-${owner}-${(firstEndpoint + e) % ENDPOINTS_PER_OWNER}`;
      const fate = fateOf(next());
      fates.set(`msg-${n}/${endpointId}`, fate);
      deliveries.push({
        endpointId,
        url: `https://owner-${owner}.example.com/hooks`,
        nextAttemptAt: fate === 'pending' ? FAR : T0,
        ...(fate === 'disabled' ? { status: 'disabled' as const } : {}),
      });
    }
    // Mostly in order, with some late arrivals (a createdAt up to a minute earlier than the last one).
    const createdAt = T0 + n * 100 - (next() < 0.05 ? Math.floor(next() * 60_000) : 0);
    await queue.enqueue(
      {
        id: `msg-${n}`,
        event: EVENTS[n % EVENTS.length] as string,
        body: `{"n":${n}}`,
        createdAt,
        owner: `owner-${owner}`,
      },
      deliveries,
    );
  }
  for (;;) {
    const leases = await queue.lease({ now: T0, limit: 1_000, leaseMs: 3_600_000 });
    if (leases.length === 0) break;
    await Promise.all(
      leases.map((lease: Lease) => {
        const fate = fates.get(`${lease.message.id}/${lease.delivery.endpointId}`);
        const ok = fate === 'delivered';
        const settlement: Settlement =
          fate === 'failing'
            ? { status: 'pending', nextAttemptAt: FAR }
            : { status: fate === 'exhausted' ? 'exhausted' : 'delivered' };
        const attempt = {
          attempt: 1,
          startedAt: lease.message.createdAt + 500,
          durationMs: 40,
          status: ok ? 200 : 503,
        };
        return queue.settle(lease, attempt, settlement);
      }),
    );
  }
}

/** Median milliseconds of `run`, after one untimed call. */
async function time(run: () => Promise<unknown>): Promise<number> {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < REPEATS; i += 1) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

interface Figures {
  readonly fillSeconds: number;
  readonly rows: readonly (readonly [string, number])[];
}

async function measure(queue: HistoryQueue, count: number): Promise<Figures> {
  const start = performance.now();
  await fill(queue, count);
  const fillSeconds = (performance.now() - start) / 1000;
  let cursor: string | undefined;
  const depth = Math.min(DEPTH, Math.floor(count / PAGE) - 1);
  for (let page = 0; page < depth; page += 1) {
    const got = await queue.queryMessages({ limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
    cursor = got.nextCursor;
  }
  const deep: MessageQuery = { limit: PAGE, ...(cursor === undefined ? {} : { cursor }) };
  const window = { since: T0, until: T0 + count * 100 };
  const rows: [string, MessageQuery | 'stats'][] = [
    ['first page, every message', { limit: PAGE }],
    [`page ${depth + 1} (${(depth * PAGE).toLocaleString('en-US')} in), through its cursor`, deep],
    ["one owner's messages", { owner: 'owner-417', limit: PAGE }],
    ["one owner's failing messages", { owner: 'owner-417', status: 'failing', limit: PAGE }],
    ["one owner's messages of one event", { owner: 'owner-417', event: 'order.paid', limit: PAGE }],
    ["one endpoint's exhausted messages", { endpointId: 'ep-417-1', status: 'exhausted', limit: PAGE }],
    ['every failing message', { status: 'failing', limit: PAGE }],
    ["one endpoint's stats over the whole window", 'stats'],
  ];
  const figures: [string, number][] = [];
  for (const [label, query] of rows) {
    const ms = await time(() =>
      query === 'stats' ? queue.endpointStats('ep-417-1', window) : queue.queryMessages(query),
    );
    figures.push([label, ms]);
  }
  return { fillSeconds, rows: figures };
}

async function main(args: string[]): Promise<void> {
  const countArg = args.find((arg) => arg.startsWith('--messages='))?.slice('--messages='.length);
  const count = countArg === undefined ? 100_000 : Number(countArg);
  if (!(Number.isInteger(count) && count >= 1_000)) throw new Error('--messages= takes a whole number of 1000 or more');
  const dir = mkdtempSync(join(tmpdir(), 'hookspec-bench-history-'));
  try {
    const memory = new MemoryQueue({ retainFinished: count });
    process.stderr.write(`  MemoryQueue: filling ${count.toLocaleString('en-US')} messages…\n`);
    const inMemory = await measure(memory, count);
    await memory.close();
    const sqlite = new SqliteQueue({ path: join(dir, 'history.db'), synchronous: 'OFF', retainFinished: count });
    process.stderr.write(`  SqliteQueue: filling ${count.toLocaleString('en-US')} messages…\n`);
    const onDisk = await measure(sqlite, count);
    await sqlite.close();

    const section = [
      `Measured on ${new Date().toISOString().slice(0, 10)}: ${machine()}. ${count.toLocaleString('en-US')} ` +
        `messages of ${OWNERS.toLocaleString('en-US')} owners to ${(OWNERS * ENDPOINTS_PER_OWNER).toLocaleString('en-US')} ` +
        'endpoints (1 or 2 deliveries each: 70 % delivered, 10 % failing, 8 % exhausted, 5 % disabled, 7 % waiting; ' +
        `5 % created out of order), pages of ${PAGE} with full message views; median of ${REPEATS} calls after one ` +
        `untimed call. Filling took ${inMemory.fillSeconds.toFixed(1)} s (MemoryQueue) and ` +
        `${onDisk.fillSeconds.toFixed(1)} s (SqliteQueue, synchronous OFF, for the fill only).`,
      '',
      table([
        ['query', 'MemoryQueue ms', 'SqliteQueue ms'],
        ...inMemory.rows.map(([label, ms], i): string[] => [
          label,
          ms.toFixed(3),
          (onDisk.rows[i]?.[1] ?? Number.NaN).toFixed(3),
        ]),
      ]),
    ].join('\n');
    console.log(section);
    if (args.includes('--write')) writeSection('history', section);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
