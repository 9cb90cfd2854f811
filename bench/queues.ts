/*
 * Queue throughput: WebhookClient deliveries per second on each DeliveryQueue (memory, SQLite with
 * synchronous FULL and NORMAL, BullMQ with the client's own worker) and a bare BullMQ `Queue.add` +
 * `Worker` + axios, as a user would write it by hand, to a receiver in a child process on 127.0.0.1.
 * The BullMQ sides use a redis-server this script starts on a free loopback port, persistence off.
 *
 *   npm run bench:queues                       print the figures
 *   npm run bench:queues -- --write            and rewrite the queues section of docs/benchmarks.md
 *   npm run bench:queues -- --only=bullmq      one side only (memory, sqlite-full, sqlite-normal, bullmq,
 *                                              bullmq-bare), e.g. under `node --cpu-prof`; nothing written
 *   npm run bench:queues -- --sides=bullmq,bullmq-bare   several sides side by side, with the ratios they
 *                                              allow; nothing written
 *   --events=N --rounds=N --deadline=SECONDS  smaller or longer runs (the defaults are the published ones)
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { generateSecret } from '../lib';
import { orderBodies, orders, signedRawRequests } from './order-placed';
import { CONCURRENCY, PRODUCERS, SIDES } from './queue-sides';
import type { Round, RoundContext, Side, SideName } from './queue-sides';
import { checkDeliveries, ReceiverProcess } from './receiver-process';
import { RedisProcess } from './redis-process';
import { machine, median, rotatingRounds, table, writeSection } from './report';

const DEFAULT_EVENTS = 5_000;
const WARM_UP_ROUNDS = 1;
const DEFAULT_TIMED_ROUNDS = 5;
/** A round's deadline: 30 ms a delivery, several times the slowest side's pace on a loaded machine. */
const deadlineFor = (events: number): number => Math.max(60_000, events * 30);
/** `BullMqQueue` / `MemoryQueue` on the same client, by median deliveries per second: at least this. */
const BULLMQ_TARGET = 0.8;
/** `SqliteQueue` (synchronous FULL) / `MemoryQueue`: at least this. */
const SQLITE_TARGET = 0.9;

interface Options {
  readonly events: number;
  readonly timedRounds: number;
  readonly deadlineMs: number;
  readonly only: SideName | undefined;
  /** A subset of the sides, reported as the full run is (ratios only where both sides ran). */
  readonly sides: readonly SideName[] | undefined;
  readonly write: boolean;
  /** After each round of a Redis side, print the commands Redis ran per delivery (INFO commandstats). */
  readonly commands: boolean;
}

function parseOptions(args: readonly string[]): Options {
  const value = (name: string): string | undefined =>
    args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const count = (name: string, fallback: number): number => {
    const text = value(name);
    if (text === undefined) return fallback;
    const parsed = Number(text);
    if (!(Number.isInteger(parsed) && parsed > 0))
      throw new Error(`--${name}= takes a positive whole number, got '${text}'`);
    return parsed;
  };
  const known = ['--write', '--commands', '--only=', '--sides=', '--events=', '--rounds=', '--deadline='];
  const unknown = args.filter(
    (arg) => !known.some((flag) => arg === flag || (flag.endsWith('=') && arg.startsWith(flag))),
  );
  if (unknown.length > 0) throw new Error(`unknown argument(s) ${unknown.join(' ')}; known: ${known.join(' ')}`);
  const only = value('only');
  if (only !== undefined && !SIDES.some((side) => side.name === only)) {
    throw new Error(`--only= takes one of ${SIDES.map((side) => side.name).join(', ')}; got '${only}'`);
  }
  if (only !== undefined && args.includes('--write')) {
    throw new Error('--write rewrites the section with every side: run it without --only');
  }
  const sidesText = value('sides');
  const sides = sidesText?.split(',').map((name) => name.trim());
  const unknownSide = sides?.find((name) => !SIDES.some((side) => side.name === name));
  if (unknownSide !== undefined) {
    throw new Error(`--sides= takes names among ${SIDES.map((side) => side.name).join(', ')}; got '${unknownSide}'`);
  }
  if (sides !== undefined && (only !== undefined || args.includes('--write'))) {
    throw new Error('--sides= runs a subset: it goes with neither --only= nor --write');
  }
  const events = count('events', DEFAULT_EVENTS);
  const deadline = value('deadline') === undefined ? undefined : count('deadline', 1);
  return {
    events,
    timedRounds: count('rounds', DEFAULT_TIMED_ROUNDS),
    deadlineMs: deadline === undefined ? deadlineFor(events) : deadline * 1000,
    only: only as SideName | undefined,
    sides: sides as SideName[] | undefined,
    write: args.includes('--write'),
    commands: args.includes('--commands'),
  };
}

// ---------------------------------------------------------------------------------------------------
// The workload: the same events, bodies and headers as bench/send.ts.

const secret = generateSecret();

interface Workload {
  readonly events: ReturnType<typeof orders>;
  /** The bytes hookspec sends for each event (its serializePayload with `envelope: 'none'`). */
  readonly bodies: readonly string[];
  readonly totalBodyBytes: number;
}

function workload(count: number): Workload {
  const events = orders(count);
  const bodies = orderBodies(events);
  return { events, bodies, totalBodyBytes: bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0) };
}

// ---------------------------------------------------------------------------------------------------
// Measuring.

interface Setup {
  readonly options: Options;
  readonly work: Workload;
  readonly receiver: ReceiverProcess;
  readonly redis: RedisProcess | undefined;
  readonly tempDir: string;
}

/**
 * One round of one side, from an empty Redis and a reset receiver, checked on the receiving side: exactly
 * `events` well-formed requests with distinct ids and the expected body bytes, and a first request whose
 * signature verifies (standardwebhooks). A side that lost or duplicated a message fails the run.
 */
async function measuredRound(side: Side, setup: Setup, round: string): Promise<Round> {
  const { options, work, receiver, redis } = setup;
  await redis?.flush();
  await receiver.reset();
  const context: RoundContext = {
    receiverUrl: receiver.url,
    events: work.events,
    secret,
    rawRequests: () => signedRawRequests(work.bodies, secret),
    // Only the BullMQ sides see Redis, so only their rounds count its CPU time.
    redis: side.needsRedis ? redis : undefined,
    server: side.needsRedis ? redis : undefined,
    tempDir: setup.tempDir,
    round,
    deadlineMs: options.deadlineMs,
  };
  const stats = options.commands && side.needsRedis && redis ? await CommandStats.open(redis.port) : undefined;
  const result = await side.run(context);
  await stats?.print(side.name, options.events);
  const report = await receiver.report();
  checkDeliveries(report, { side: side.name, events: options.events, bodyBytes: work.totalBodyBytes, secret });
  return { ...result, connections: report.connections };
}

/**
 * What Redis ran over a round (`--commands`): calls per delivery of each command (EVALSHA counts each
 * script call, the scripts' own `redis.call`s count under their commands), the bytes it read and wrote,
 * and its reads of client sockets (`total_reads_processed`, one per socket read: the writes that
 * reached it).
 */
class CommandStats {
  private constructor(private readonly client: Redis) {}

  static async open(port: number): Promise<CommandStats> {
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    await client.config('RESETSTAT');
    return new CommandStats(client);
  }

  async print(side: string, events: number): Promise<void> {
    const [commands, stats] = [await this.client.info('commandstats'), await this.client.info('stats')];
    this.client.disconnect();
    const per = (count: number): string => (count / events).toFixed(2);
    const rows = [...commands.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)]
      .map(([, name, calls, usec]) => ({ name, calls: Number(calls), usec: Number(usec) }))
      .filter(({ name }) => name !== 'info' && name !== 'config')
      .sort((a, b) => b.usec - a.usec);
    const stat = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
    process.stderr.write(
      `    ${side} per delivery: ${rows.map((r) => `${r.name} ${per(r.calls)} (${per(r.usec)} µs)`).join(', ')}; ` +
        `${per(stat('total_net_input_bytes'))} bytes in, ${per(stat('total_net_output_bytes'))} out, ` +
        `${per(stat('total_reads_processed'))} socket reads\n`,
    );
  }
}

interface Result {
  readonly side: Side;
  readonly rounds: Round[];
}

function measure(sides: readonly Side[], setup: Setup): Promise<Result[]> {
  const { events, timedRounds } = setup.options;
  return rotatingRounds(
    sides,
    { warmUp: WARM_UP_ROUNDS, timed: timedRounds },
    (side, label) => measuredRound(side, setup, label),
    (side, round, i) => {
      const redisCpu = round.serverCpuMs === undefined ? '' : `  Redis ${micros(round.serverCpuMs, events)} µs`;
      process.stderr.write(
        `  round ${i + 1}/${timedRounds} ${side.name.padEnd(13)} ${round.ms.toFixed(0).padStart(6)} ms ` +
          `${perSecond(round.ms, events).toFixed(0).padStart(6)} deliveries/s  ` +
          `CPU ${micros(round.cpuMs, events)} µs/delivery${redisCpu}  ${round.connections} connections\n`,
      );
    },
  );
}

const perSecond = (ms: number, events: number): number => (events * 1000) / ms;
/** Milliseconds of CPU over a round → microseconds per delivery. */
const micros = (cpuMs: number, events: number): string => ((cpuMs * 1000) / events).toFixed(0);
const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------------
// Reporting.

function rates(result: Result, events: number): number[] {
  return result.rounds.map((round) => perSecond(round.ms, events));
}

/** `numerator / denominator` of the median rates, and the median of the per-round ratios (rounds ran side by side). */
function ratio(results: readonly Result[], numerator: SideName, denominator: SideName, events: number) {
  const find = (name: SideName): Result | undefined => results.find((result) => result.side.name === name);
  const top = find(numerator);
  const bottom = find(denominator);
  if (!top || !bottom) return undefined;
  const topRates = rates(top, events);
  const bottomRates = rates(bottom, events);
  return {
    ofMedians: median(topRates) / median(bottomRates),
    perRound: median(topRates.map((rate, i) => rate / bottomRates[i])),
  };
}

function ratioLine(
  results: readonly Result[],
  events: number,
  [numerator, denominator]: [SideName, SideName],
  label: string,
  target: number | undefined,
): string {
  const value = ratio(results, numerator, denominator, events);
  if (!value) return `Ratio ${label}: not measured (a side is missing from --sides=).`;
  const verdict =
    target === undefined
      ? 'for reference'
      : `target >= ${target.toFixed(2)}: ${value.ofMedians >= target ? 'PASS' : 'FAIL'}`;
  return (
    `Ratio ${label} (median deliveries/s): **${value.ofMedians.toFixed(2)}** (${verdict}; ` +
    `median of the per-round ratios: ${value.perRound.toFixed(2)}).`
  );
}

function report(results: readonly Result[], options: Options, work: Workload, loadBefore: number): string {
  const { events } = options;
  const rows: [string[], ...string[][]] = [
    [
      '',
      'median deliveries/s',
      'slowest/s',
      'fastest/s',
      'spread',
      'sender CPU µs/delivery',
      'Redis CPU µs/delivery',
      'send() accepted ms',
      'rounds',
    ],
  ];
  for (const result of results) {
    const perRound = rates(result, events);
    const mid = median(perRound);
    const redis = result.rounds.map((round) => round.serverCpuMs);
    rows.push([
      result.side.label,
      thousands(mid),
      thousands(Math.min(...perRound)),
      thousands(Math.max(...perRound)),
      `${(((Math.max(...perRound) - Math.min(...perRound)) / mid) * 100).toFixed(0)} %`,
      micros(median(result.rounds.map((round) => round.cpuMs)), events),
      redis.every((ms) => ms !== undefined) ? micros(median(redis as number[]), events) : '–',
      median(result.rounds.map((round) => round.acceptedMs)).toFixed(0),
      String(result.rounds.length),
    ]);
  }
  const bodyBytes = Math.round(work.totalBodyBytes / events);
  return [
    `Measured on ${new Date().toISOString().slice(0, 10)}: ${machine()} after the run ` +
      `(${loadBefore.toFixed(2)} before it). ${thousands(events)} events of ${bodyBytes} bytes, sent by ${PRODUCERS} ` +
      `concurrent producers and delivered at concurrency ${CONCURRENCY} to a receiver in a child process on 127.0.0.1; Redis on 127.0.0.1 with persistence off; ` +
      `${WARM_UP_ROUNDS} warm-up round, then ${options.timedRounds} timed ` +
      `round${options.timedRounds === 1 ? '' : 's'} of each side in rotating order.`,
    '',
    table(rows),
    '',
    ratioLine(results, events, ['bullmq', 'memory'], '`BullMqQueue` / `MemoryQueue`', BULLMQ_TARGET),
    '',
    ratioLine(results, events, ['sqlite-full', 'memory'], '`SqliteQueue` FULL / `MemoryQueue`', SQLITE_TARGET),
    '',
    ratioLine(results, events, ['bullmq', 'bullmq-bare'], '`BullMqQueue` / bare BullMQ', undefined),
    '',
    ratioLine(results, events, ['sqlite-normal', 'memory'], '`SqliteQueue` NORMAL / `MemoryQueue`', undefined),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Running, and cleaning up even when a round fails or the run is interrupted.

interface Resources {
  tempDir?: string;
  receiver?: ReceiverProcess;
  redis?: RedisProcess;
}

/** For signals and exit, where nothing can be awaited: kill the children, remove the files. */
function cleanUpNow(resources: Resources): void {
  resources.receiver?.killNow();
  resources.redis?.killNow();
  if (resources.tempDir) rmSync(resources.tempDir, { recursive: true, force: true });
}

async function cleanUp(resources: Resources): Promise<void> {
  const { receiver, redis, tempDir } = resources;
  const stopped = await Promise.allSettled([receiver?.stop(), redis?.stop()]);
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  for (const outcome of stopped) {
    if (outcome.status === 'rejected') console.error('cleaning up failed:', outcome.reason);
  }
}

async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const chosen = options.sides ?? (options.only === undefined ? undefined : [options.only]);
  const sides = chosen === undefined ? SIDES : SIDES.filter((side) => chosen.includes(side.name));
  const loadBefore = loadavg()[0] ?? 0;

  const resources: Resources = {};
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanUpNow(resources);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const onExit = (): void => cleanUpNow(resources);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', onExit);
  try {
    resources.tempDir = mkdtempSync(join(tmpdir(), 'hookspec-bench-queues-'));
    resources.receiver = await ReceiverProcess.start();
    if (sides.some((side) => side.needsRedis)) resources.redis = await RedisProcess.start();
    const work = workload(options.events);
    const setup: Setup = {
      options,
      work,
      receiver: resources.receiver,
      redis: resources.redis,
      tempDir: resources.tempDir,
    };
    const results = await measure(sides, setup);
    if (options.only !== undefined) {
      for (const result of results) {
        const perRound = rates(result, options.events);
        const cpu = median(result.rounds.map((round) => round.cpuMs));
        console.log(
          `${result.side.label}: median ${thousands(median(perRound))} deliveries/s ` +
            `(${thousands(Math.min(...perRound))}–${thousands(Math.max(...perRound))}), ` +
            `${micros(cpu, options.events)} µs CPU/delivery`,
        );
      }
      return;
    }
    const section = report(results, options, work, loadBefore);
    console.log(section);
    if (options.write) writeSection('queues', section);
  } finally {
    await cleanUp(resources);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
