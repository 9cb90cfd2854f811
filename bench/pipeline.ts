/*
 * The send pipeline's own CPU cost: hookspec's `client.send` → delivered through a no-op transport, so
 * that what is measured is everything hookspec does around the HTTP request — validate, serialise,
 * queue, lease, sign, settle, events — and none of the network.
 *
 *   npm run bench:pipeline                  print the figures
 *   npm run bench:pipeline -- --write       and rewrite the pipeline section of docs/benchmarks.md
 *   node --cpu-prof bench/dist/bench/pipeline.js --rounds=3   profile it (the profile lands in the cwd)
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { generateSecret, WebhookClient } from '../lib';
import type { Transport, TransportRequest, TransportResponse } from '../lib';
import { OrderPlaced, orders } from './order-placed';
import { machine, median, rotatingRounds, table, writeSection } from './report';

const EVENTS = 20_000;
const CONCURRENCY = 64;
const WARM_UP_ROUNDS = 2;
const DEFAULT_TIMED_ROUNDS = 7;
/** CPU µs per delivery the pipeline may cost (it was about 76 µs before the changes of 2026-12). */
const TARGET_CPU_MICROS = 30;

/** Answers 204 at once, on the next microtask, as a transport does at the earliest. */
class NoOpTransport implements Transport {
  sent = 0;
  async send(request: TransportRequest): Promise<TransportResponse> {
    if (request.headers['webhook-signature'] === undefined) throw new Error('an unsigned request');
    this.sent += 1;
    return { status: 204, headers: {}, body: '', truncated: false, durationMs: 0 };
  }
  async close(): Promise<void> {}
}

interface Round {
  readonly ms: number;
  readonly cpuMs: number;
}

const secret = generateSecret();
const events = orders(EVENTS);

/** One round: a fresh client on a fresh MemoryQueue, EVENTS sends one after the other, then drain(). */
async function round(): Promise<Round> {
  const transport = new NoOpTransport();
  const client = new WebhookClient({
    webhooks: [OrderPlaced],
    endpoints: [{ url: 'https://receiver.example.com/webhook', secret }],
    transport,
    concurrency: CONCURRENCY,
    endpointConcurrency: CONCURRENCY,
    retry: { schedule: [] },
  });
  let delivered = 0;
  client.on('delivered', () => (delivered += 1));
  try {
    const start = performance.now();
    const cpu = process.cpuUsage();
    for (const event of events) await client.send(event);
    await client.drain();
    const used = process.cpuUsage(cpu);
    const ms = performance.now() - start;
    if (delivered !== EVENTS || transport.sent !== EVENTS) {
      throw new Error(`delivered ${delivered} and sent ${transport.sent} of ${EVENTS}`);
    }
    return { ms, cpuMs: (used.user + used.system) / 1000 };
  } finally {
    await client.close();
  }
}

const cpuMicros = (r: Round): number => (r.cpuMs * 1000) / EVENTS;
const wallMicros = (r: Round): number => (r.ms * 1000) / EVENTS;

async function main(args: string[]): Promise<void> {
  const roundsArg = args.find((arg) => arg.startsWith('--rounds='))?.slice('--rounds='.length);
  const timed = roundsArg === undefined ? DEFAULT_TIMED_ROUNDS : Number(roundsArg);
  if (!(Number.isInteger(timed) && timed > 0)) throw new Error(`--rounds= takes a positive whole number`);
  const [{ rounds }] = await rotatingRounds(
    ['hookspec'],
    { warmUp: WARM_UP_ROUNDS, timed },
    () => round(),
    (_, r, i) =>
      process.stderr.write(
        `  round ${i + 1}/${timed} ${r.ms.toFixed(0).padStart(6)} ms  ${cpuMicros(r).toFixed(1).padStart(6)} µs CPU/delivery\n`,
      ),
  );
  const cpu = median(rounds.map(cpuMicros));
  const section = [
    `Measured on ${new Date().toISOString().slice(0, 10)}: ${machine()}. ${EVENTS.toLocaleString('en-US')} ` +
      `events per round through a no-op transport, concurrency ${CONCURRENCY}, the default \`MemoryQueue\`; ` +
      `${WARM_UP_ROUNDS} warm-up rounds, then ${timed} timed rounds.`,
    '',
    table([
      ['', 'median CPU µs/delivery', 'best', 'worst', 'wall µs/delivery', 'rounds'],
      [
        'hookspec `client.send` → delivered, no-op transport',
        cpu.toFixed(1),
        Math.min(...rounds.map(cpuMicros)).toFixed(1),
        Math.max(...rounds.map(cpuMicros)).toFixed(1),
        median(rounds.map(wallMicros)).toFixed(1),
        String(rounds.length),
      ],
    ]),
    '',
    `Pipeline CPU per delivery: **${cpu.toFixed(1)} µs** (target <= ${TARGET_CPU_MICROS} µs: ` +
      `${cpu <= TARGET_CPU_MICROS ? 'PASS' : 'FAIL'}).`,
  ].join('\n');
  console.log(section);
  if (args.includes('--write')) writeSection('pipeline', section);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
