/*
 * PostgreSQL queue throughput: WebhookClient deliveries per second on `PostgresQueue`, against pg-boss 12
 * doing the same POSTs by hand (the peer a user would pick) and against `MemoryQueue` on the same client,
 * to a receiver in a child process on 127.0.0.1. The PostgreSQL sides use a private cluster this script
 * starts (initdb into a temporary directory, a free loopback port, fsync on) and a new database each round.
 *
 *   npm run build:bench && node bench/dist/bench/queues-postgres.js      print the figures
 *   … --write                                rewrite the queues-postgres section of docs/benchmarks.md
 *   … --sides=postgres,pgboss                a subset (memory, postgres, pgboss, pgboss-notify), with the
 *                                            ratios it allows
 *   … --statements                           after the run, the statements PostgresQueue ran, by total
 *                                            time (pg_stat_statements); nothing written
 *   --events=N --rounds=N --deadline=SECONDS smaller or longer runs (the defaults are the published ones)
 *
 * (`npx tsc -p bench/tsconfig.json` builds bench/dist.) Under `node --cpu-prof` only the sender is profiled.
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { loadavg } from 'node:os';
import { generateSecret } from '../lib';
import { orderBodies, orders, signedRawRequests } from './order-placed';
import { PostgresProcess } from './postgres-process';
import { CONCURRENCY, PRODUCERS } from './queue-sides';
import type { Round } from './queue-sides';
import { POOL_SIZE, POSTGRES_SIDES } from './queue-sides-postgres';
import type { PostgresSide, PostgresSideName } from './queue-sides-postgres';
import { checkDeliveries, ReceiverProcess } from './receiver-process';
import { machine, median, rotatingRounds, table, writeSection } from './report';

const DEFAULT_EVENTS = 5_000;
const WARM_UP_ROUNDS = 1;
const DEFAULT_TIMED_ROUNDS = 5;
const deadlineFor = (events: number): number => Math.max(60_000, events * 30);
/** `PostgresQueue` / pg-boss 12, by median deliveries per second: at least this. */
const PGBOSS_TARGET = 1.0;

interface Options {
  readonly events: number;
  readonly timedRounds: number;
  readonly deadlineMs: number;
  readonly sides: readonly PostgresSideName[] | undefined;
  readonly statements: boolean;
  readonly write: boolean;
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
  const known = ['--write', '--statements', '--sides=', '--events=', '--rounds=', '--deadline='];
  const unknown = args.filter(
    (arg) => !known.some((flag) => arg === flag || (flag.endsWith('=') && arg.startsWith(flag))),
  );
  if (unknown.length > 0) throw new Error(`unknown argument(s) ${unknown.join(' ')}; known: ${known.join(' ')}`);
  const names = POSTGRES_SIDES.map((side) => side.name);
  const sides = value('sides')
    ?.split(',')
    .map((name) => name.trim());
  const unknownSide = sides?.find((name) => !names.includes(name as PostgresSideName));
  if (unknownSide !== undefined)
    throw new Error(`--sides= takes names among ${names.join(', ')}; got '${unknownSide}'`);
  const write = args.includes('--write');
  const statements = args.includes('--statements');
  if (write && (sides !== undefined || statements)) {
    throw new Error(
      '--write rewrites the section with every side, unprofiled: it goes with neither --sides= nor --statements',
    );
  }
  const events = count('events', DEFAULT_EVENTS);
  const deadline = value('deadline') === undefined ? undefined : count('deadline', 1);
  return {
    events,
    timedRounds: count('rounds', DEFAULT_TIMED_ROUNDS),
    deadlineMs: deadline === undefined ? deadlineFor(events) : deadline * 1000,
    sides: sides as PostgresSideName[] | undefined,
    statements,
    write,
  };
}

const secret = generateSecret();

interface Setup {
  readonly options: Options;
  readonly events: ReturnType<typeof orders>;
  readonly bodies: readonly string[];
  readonly totalBodyBytes: number;
  readonly receiver: ReceiverProcess;
  readonly postgres: PostgresProcess;
}

/** Statements of the PostgresQueue rounds, by total time, kept by the last round's database. */
let lastStatements: string | undefined;

/** One round of one side, from a new database and a reset receiver, checked on the receiving side. */
async function measuredRound(side: PostgresSide, setup: Setup, round: string): Promise<Round> {
  const { options, receiver, postgres } = setup;
  await receiver.reset();
  const connectionString = side.needsDatabase ? await postgres.createDatabase() : '';
  try {
    if (options.statements && side.name === 'postgres') await resetStatements(connectionString);
    const result = await side.run({
      receiverUrl: receiver.url,
      events: setup.events,
      bodies: setup.bodies,
      secret,
      rawRequests: () => signedRawRequests(setup.bodies, secret),
      redis: undefined,
      server: side.needsDatabase ? postgres : undefined,
      postgres,
      connectionString,
      tempDir: '',
      round,
      deadlineMs: options.deadlineMs,
    });
    if (options.statements && side.name === 'postgres') lastStatements = await topStatements(connectionString);
    const report = await receiver.report();
    checkDeliveries(report, { side: side.name, events: options.events, bodyBytes: setup.totalBodyBytes, secret });
    return { ...result, connections: report.connections };
  } finally {
    if (side.needsDatabase) await postgres.dropDatabase(connectionString);
  }
}

async function withClient<T>(connectionString: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString });
  client.on('error', () => {});
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function resetStatements(connectionString: string): Promise<void> {
  return withClient(connectionString, async (client) => {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT pg_stat_statements_reset()');
  });
}

function topStatements(connectionString: string): Promise<string> {
  return withClient(connectionString, async (client) => {
    const { rows } = await client.query<{ calls: string; total: number; mean: number; rows: string; query: string }>(
      `SELECT calls, round(total_exec_time::numeric, 0)::float8 AS total, round(mean_exec_time::numeric, 3)::float8 AS mean,
              rows, regexp_replace(query, '\\s+', ' ', 'g') AS query
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       ORDER BY total_exec_time DESC LIMIT 15`,
    );
    return rows
      .map(
        (row) =>
          `${row.calls.padStart(7)} calls ${String(row.total).padStart(7)} ms total ${String(row.mean).padStart(8)} ms mean  ${row.query.slice(0, 160)}`,
      )
      .join('\n');
  });
}

const perSecond = (ms: number, events: number): number => (events * 1000) / ms;
const micros = (cpuMs: number, events: number): string => ((cpuMs * 1000) / events).toFixed(0);
const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');

interface Result {
  readonly side: PostgresSide;
  readonly rounds: Round[];
}

const rates = (result: Result, events: number): number[] => result.rounds.map((round) => perSecond(round.ms, events));

function ratioLine(
  results: readonly Result[],
  events: number,
  [numerator, denominator]: [PostgresSideName, PostgresSideName],
  label: string,
  target: number | undefined,
): string {
  const top = results.find((result) => result.side.name === numerator);
  const bottom = results.find((result) => result.side.name === denominator);
  if (!top || !bottom) return `Ratio ${label}: not measured (a side is missing from --sides=).`;
  const topRates = rates(top, events);
  const bottomRates = rates(bottom, events);
  const ofMedians = median(topRates) / median(bottomRates);
  const perRound = median(topRates.map((rate, i) => rate / (bottomRates[i] as number)));
  const verdict =
    target === undefined ? 'for reference' : `target >= ${target.toFixed(2)}: ${ofMedians >= target ? 'PASS' : 'FAIL'}`;
  return (
    `Ratio ${label} (median deliveries/s): **${ofMedians.toFixed(2)}** (${verdict}; ` +
    `median of the per-round ratios: ${perRound.toFixed(2)}).`
  );
}

function report(results: readonly Result[], options: Options, setup: Setup, loadBefore: number): string {
  const { events } = options;
  const rows: [string[], ...string[][]] = [
    [
      '',
      'median deliveries/s',
      'slowest/s',
      'fastest/s',
      'spread',
      'sender CPU µs/delivery',
      'PostgreSQL CPU µs/delivery',
      'send() accepted ms',
      'rounds',
    ],
  ];
  for (const result of results) {
    const perRound = rates(result, events);
    const mid = median(perRound);
    const server = result.rounds.map((round) => round.serverCpuMs);
    rows.push([
      result.side.label,
      thousands(mid),
      thousands(Math.min(...perRound)),
      thousands(Math.max(...perRound)),
      `${(((Math.max(...perRound) - Math.min(...perRound)) / mid) * 100).toFixed(0)} %`,
      micros(median(result.rounds.map((round) => round.cpuMs)), events),
      server.every((ms) => ms !== undefined) ? micros(median(server as number[]), events) : '–',
      median(result.rounds.map((round) => round.acceptedMs)).toFixed(0),
      String(result.rounds.length),
    ]);
  }
  const bodyBytes = Math.round(setup.totalBodyBytes / events);
  return [
    `Measured on ${new Date().toISOString().slice(0, 10)}: ${machine()} after the run ` +
      `(${loadBefore.toFixed(2)} before it). ${thousands(events)} events of ${bodyBytes} bytes, sent by ${PRODUCERS} ` +
      `concurrent producers and delivered at concurrency ${CONCURRENCY} to a receiver in a child process on 127.0.0.1; ` +
      `PostgreSQL on 127.0.0.1 (its defaults, fsync on), a new database each round, pools of ${POOL_SIZE} connections; ` +
      `${WARM_UP_ROUNDS} warm-up round, then ${options.timedRounds} timed ` +
      `round${options.timedRounds === 1 ? '' : 's'} of each side in rotating order.`,
    '',
    table(rows),
    '',
    ratioLine(results, events, ['postgres', 'pgboss'], '`PostgresQueue` / pg-boss 12', PGBOSS_TARGET),
    '',
    ratioLine(
      results,
      events,
      ['postgres', 'pgboss-notify'],
      '`PostgresQueue` / pg-boss 12 with notify',
      PGBOSS_TARGET,
    ),
    '',
    ratioLine(results, events, ['postgres', 'memory'], '`PostgresQueue` / `MemoryQueue`', undefined),
  ].join('\n');
}

interface Resources {
  receiver?: ReceiverProcess;
  postgres?: PostgresProcess;
}

async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const sides =
    options.sides === undefined ? POSTGRES_SIDES : POSTGRES_SIDES.filter((side) => options.sides?.includes(side.name));
  const loadBefore = loadavg()[0] ?? 0;
  const resources: Resources = {};
  const cleanUpNow = (): void => {
    resources.receiver?.killNow();
    resources.postgres?.killNow();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanUpNow();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanUpNow);
  try {
    resources.receiver = await ReceiverProcess.start();
    resources.postgres = await PostgresProcess.start({ statements: options.statements });
    const events = orders(options.events);
    const bodies = orderBodies(events);
    const setup: Setup = {
      options,
      events,
      bodies,
      totalBodyBytes: bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0),
      receiver: resources.receiver,
      postgres: resources.postgres,
    };
    const results = await rotatingRounds(
      sides,
      { warmUp: WARM_UP_ROUNDS, timed: options.timedRounds },
      (side, label) => measuredRound(side, setup, label),
      (side, round, i) => {
        const server =
          round.serverCpuMs === undefined ? '' : `  PostgreSQL ${micros(round.serverCpuMs, options.events)} µs`;
        process.stderr.write(
          `  round ${i + 1}/${options.timedRounds} ${side.name.padEnd(9)} ${round.ms.toFixed(0).padStart(6)} ms ` +
            `${perSecond(round.ms, options.events).toFixed(0).padStart(6)} deliveries/s  ` +
            `CPU ${micros(round.cpuMs, options.events)} µs/delivery${server}  ${round.connections} connections\n`,
        );
      },
    );
    const section = report(results, options, setup, loadBefore);
    console.log(section);
    if (lastStatements !== undefined) console.log(`\nPostgresQueue's statements, last round:\n${lastStatements}`);
    if (options.write) writeSection('queues-postgres', section);
  } finally {
    const stopped = await Promise.allSettled([resources.receiver?.stop(), resources.postgres?.stop()]);
    for (const outcome of stopped) {
      if (outcome.status === 'rejected') console.error('cleaning up failed:', outcome.reason);
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', cleanUpNow);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
