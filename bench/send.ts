/*
 * Delivery throughput: hookspec's `client.send` → delivered, on the default axios transport and on
 * `transport: 'undici'`, against a hand-written peer sender (what a
 * careful user writes without hookspec: class-validator, class-transformer, the standardwebhooks
 * package's `sign` and an axios keep-alive POST; the target: at least its rate), with raw axios and raw
 * undici POSTs of pre-signed bytes as reference rows (undici is the limit), to a receiver in a child
 * process on 127.0.0.1.
 *
 *   npm run bench:send                        print the figures
 *   npm run bench:send -- --write             and rewrite the send section of docs/benchmarks.md
 *   npm run bench:send -- --only=hookspec     one side only (e.g. under `node --cpu-prof`), nothing written
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import axios from 'axios';
import { instanceToPlain } from 'class-transformer';
import { validate } from 'class-validator';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Pool } from 'undici';
import { generateSecret, WebhookClient } from '../lib';
import { orderBodies, orders, OrderPlaced, signedRawRequests } from './order-placed';
import { checkDeliveries, ReceiverProcess } from './receiver-process';
import { machine, median, rotatingRounds, table, writeSection } from './report';

const EVENTS = 5_000;
const CONCURRENCY = 64;
const WARM_UP_ROUNDS = 2;
const TIMED_ROUNDS = 5;
/** hookspec / the peer sender, by median deliveries per second. */
const TARGET_RATIO = 1.0;
/** hookspec with `transport: 'undici'` against raw axios and against raw undici (the limit). */
const UNDICI_TARGET_VS_AXIOS = 2.0;
const UNDICI_TARGET_VS_UNDICI = 0.5;
// ---------------------------------------------------------------------------------------------------
// The five sides. Each round gets a fresh client / agent / pool, so every side opens its 64
// connections within the timed window alike, and hookspec's MemoryQueue starts empty.

type SideName = 'hookspec' | 'hookspec-undici' | 'peer' | 'axios' | 'undici';

interface Round {
  /** From the first send to the last delivery. */
  readonly ms: number;
  /** CPU time of this (the sending) process over the round, user + system, in milliseconds. */
  readonly cpuMs: number;
  /** TCP connections the receiver accepted during the round (keep-alive: at most the concurrency). */
  readonly connections?: number;
  /** hookspec only: from the first send() to the last one resolving (accepted by the queue). */
  readonly acceptedMs?: number;
}

interface Side {
  readonly name: SideName;
  readonly label: string;
  run(receiverUrl: string): Promise<Round>;
}

const secret = generateSecret();
const events = orders(EVENTS);
/** The bytes hookspec sends for each payload (its serializePayload with `envelope: 'none'`). */
const bodies = orderBodies(events);
const totalBodyBytes = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0);

/** The raw sides' requests (see signedRawRequests), bodies as Buffers as an HTTP client sends them. */
function rawRequests(): { readonly body: Buffer; readonly headers: Record<string, string> }[] {
  return signedRawRequests(bodies, secret).map((request) => ({ ...request, body: Buffer.from(request.body, 'utf8') }));
}

/** Starts the round's clocks: wall time, and this process's CPU time (user + system). */
function startClock(): () => { ms: number; cpuMs: number } {
  const start = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
  };
}

/** Runs `work` on every item with at most `concurrency` in flight; rejects on the first failure. */
async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

/** hookspec's `client.send` → delivered, on the default axios transport or on undici. */
function hookspecSideOn(transport: 'axios' | 'undici'): Side {
  return {
    name: transport === 'axios' ? 'hookspec' : 'hookspec-undici',
    label: `hookspec \`client.send\` → delivered (${transport})`,
    async run(url) {
      const client = new WebhookClient({
        webhooks: [OrderPlaced],
        endpoints: [{ url, secret }],
        allowNetworks: ['127.0.0.0/8'],
        concurrency: CONCURRENCY,
        endpointConcurrency: CONCURRENCY,
        retry: { schedule: [] },
        transport,
      });
      let delivered = 0;
      const failures: string[] = [];
      client.on('delivered', () => (delivered += 1));
      client.on('exhausted', (event) => failures.push(event.reason));
      client.on('error', (error) => failures.push(error.message));
      try {
        const start = performance.now();
        const stop = startClock();
        for (const event of events) await client.send(event);
        const acceptedMs = performance.now() - start;
        await client.drain();
        const round = stop();
        if (delivered !== EVENTS || failures.length > 0) {
          throw new Error(
            `hookspec (${transport}) delivered ${delivered} of ${EVENTS}; ${failures.length} failed ` +
              `(${failures.slice(0, 3).join('; ')})`,
          );
        }
        return { ...round, acceptedMs };
      } finally {
        await client.close();
      }
    },
  };
}

const hookspecSide = hookspecSideOn('axios');
const hookspecUndiciSide = hookspecSideOn('undici');

/**
 * What a careful user writes without hookspec, per event: validate it (class-validator), serialise it
 * (class-transformer's `instanceToPlain`, then `JSON.stringify`: the same bytes hookspec sends), sign it
 * (the standardwebhooks package, a fresh id and this second's timestamp) and POST it with axios on a
 * keep-alive agent, in 64 lanes. No queue and no retries: a failed POST fails the run.
 */
const peerSide: Side = {
  name: 'peer',
  label: 'peer sender: validate, serialise, sign, axios POST',
  async run(url) {
    const webhook = new StandardWebhook(secret);
    const agent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY });
    const instance = axios.create({ httpAgent: agent, maxRedirects: 0, proxy: false });
    try {
      const stop = startClock();
      await inParallel(events, CONCURRENCY, async (event) => {
        const errors = await validate(event, { forbidUnknownValues: true });
        if (errors.length > 0) throw new Error(`peer: invalid event: ${errors.map(String).join('; ')}`);
        const body = JSON.stringify(instanceToPlain(event));
        const id = `msg_${randomUUID()}`;
        const timestamp = new Date();
        const headers = {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': webhook.sign(id, timestamp, body),
        };
        const response = await instance.post(url, body, { headers });
        if (response.status !== 204) throw new Error(`peer: HTTP ${response.status}`);
      });
      return stop();
    } finally {
      agent.destroy();
    }
  },
};

const axiosSide: Side = {
  name: 'axios',
  label: 'raw axios keep-alive POST, pre-signed',
  async run(url) {
    const requests = rawRequests();
    const agent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY });
    const instance = axios.create({ httpAgent: agent, maxRedirects: 0, proxy: false });
    try {
      const stop = startClock();
      await inParallel(requests, CONCURRENCY, async ({ body, headers }) => {
        const response = await instance.post(url, body, { headers });
        if (response.status !== 204) throw new Error(`raw axios: HTTP ${response.status}`);
      });
      return stop();
    } finally {
      agent.destroy();
    }
  },
};

const undiciSide: Side = {
  name: 'undici',
  label: 'raw undici `Pool`, pre-signed (the limit)',
  async run(url) {
    const requests = rawRequests();
    const { origin, pathname } = new URL(url);
    const pool = new Pool(origin, { connections: CONCURRENCY });
    try {
      const stop = startClock();
      await inParallel(requests, CONCURRENCY, async ({ body, headers }) => {
        const response = await pool.request({ path: pathname, method: 'POST', headers, body });
        await response.body.dump();
        if (response.statusCode !== 204) throw new Error(`raw undici: HTTP ${response.statusCode}`);
      });
      return stop();
    } finally {
      await pool.close();
    }
  },
};

const SIDES: readonly Side[] = [hookspecSide, hookspecUndiciSide, peerSide, axiosSide, undiciSide];

// ---------------------------------------------------------------------------------------------------
// Measuring.

/**
 * One round of one side, checked on the receiving side: exactly EVENTS well-formed requests with
 * distinct ids and the expected body bytes, and a first request whose signature verifies
 * (standardwebhooks, the reference library). A side that lost or duplicated a message fails the run.
 */
async function measuredRound(side: Side, receiver: ReceiverProcess): Promise<Round> {
  await receiver.reset();
  const round = await side.run(receiver.url);
  const report = await receiver.report();
  checkDeliveries(report, { side: side.name, events: EVENTS, bodyBytes: totalBodyBytes, secret });
  return { ...round, connections: report.connections };
}

interface Result {
  readonly side: Side;
  readonly rounds: Round[];
}

function measure(sides: readonly Side[], receiver: ReceiverProcess): Promise<Result[]> {
  return rotatingRounds(
    sides,
    { warmUp: WARM_UP_ROUNDS, timed: TIMED_ROUNDS },
    (side) => measuredRound(side, receiver),
    (side, round, i) =>
      process.stderr.write(
        `  round ${i + 1}/${TIMED_ROUNDS} ${side.name.padEnd(8)} ${round.ms.toFixed(0).padStart(6)} ms  ` +
          `${perSecond(round.ms).toFixed(0).padStart(6)} deliveries/s  ` +
          `${cpuPerDelivery(round).toFixed(0).padStart(4)} µs CPU/delivery  ${round.connections} connections\n`,
      ),
  );
}

const perSecond = (ms: number): number => (EVENTS * 1000) / ms;
/** The sending process's CPU time per delivery, in microseconds. */
const cpuPerDelivery = (round: Round): number => (round.cpuMs * 1000) / EVENTS;
const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------------
// Reporting, as bench/schema.ts does.

function report(results: Result[], loadBefore: number): string {
  const rows: [string[], ...string[][]] = [
    ['', 'median ms', 'deliveries/s', 'best/s', 'sender CPU µs/delivery', 'max connections', 'rounds'],
  ];
  for (const { side, rounds } of results) {
    const times = rounds.map((round) => round.ms);
    rows.push([
      side.label,
      median(times).toFixed(0),
      thousands(perSecond(median(times))),
      thousands(perSecond(Math.min(...times))),
      median(rounds.map(cpuPerDelivery)).toFixed(0),
      String(Math.max(...rounds.map((round) => round.connections ?? 0))),
      String(times.length),
    ]);
  }
  const rate = (name: SideName): number => {
    const result = results.find((r) => r.side.name === name) as Result;
    return perSecond(median(result.rounds.map((round) => round.ms)));
  };
  const hookspec = results.find((r) => r.side.name === 'hookspec') as Result;
  const accepted = median(hookspec.rounds.map((round) => round.acceptedMs ?? 0));
  const ratio = rate('hookspec') / rate('peer');
  const undiciVsAxios = rate('hookspec-undici') / rate('axios');
  const undiciVsUndici = rate('hookspec-undici') / rate('undici');
  const peerRounds = (results.find((r) => r.side.name === 'peer') as Result).rounds;
  const perRound = median(hookspec.rounds.map((round, i) => (peerRounds[i] as Round).ms / round.ms));
  return [
    `Measured on ${new Date().toISOString().slice(0, 10)}: ${machine()} after the run (${loadBefore.toFixed(2)} ` +
      `before it). ${thousands(EVENTS)} events of ${Math.round(totalBodyBytes / EVENTS)} bytes at concurrency ` +
      `${CONCURRENCY} to a receiver in a child process on 127.0.0.1; ${WARM_UP_ROUNDS} warm-up rounds, then ` +
      `${TIMED_ROUNDS} timed rounds of each side in rotating order.`,
    '',
    table(rows),
    '',
    `Ratio hookspec / peer sender (median deliveries/s): **${ratio.toFixed(2)}** ` +
      `(target >= ${TARGET_RATIO.toFixed(2)}: ${ratio >= TARGET_RATIO ? 'PASS' : 'FAIL'}; median of the ` +
      `per-round ratios: ${perRound.toFixed(2)}). For reference: hookspec / raw axios ` +
      `${(rate('hookspec') / rate('axios')).toFixed(2)}, hookspec / raw undici ` +
      `${(rate('hookspec') / rate('undici')).toFixed(2)}. hookspec's ${thousands(EVENTS)} \`send()\` calls ` +
      `resolved after ${accepted.toFixed(0)} ms (median), the rest of its time is the delivery of the backlog.`,
    '',
    `With \`transport: 'undici'\`: hookspec / raw axios **${undiciVsAxios.toFixed(2)}** (target >= ` +
      `${UNDICI_TARGET_VS_AXIOS.toFixed(1)}: ${undiciVsAxios >= UNDICI_TARGET_VS_AXIOS ? 'PASS' : 'FAIL'}), ` +
      `hookspec / raw undici **${undiciVsUndici.toFixed(2)}** (target >= ${UNDICI_TARGET_VS_UNDICI.toFixed(1)}: ` +
      `${undiciVsUndici >= UNDICI_TARGET_VS_UNDICI ? 'PASS' : 'FAIL'}).`,
  ].join('\n');
}

async function main(args: string[]): Promise<void> {
  const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  const sides = only === undefined ? SIDES : SIDES.filter((side) => side.name === only);
  if (sides.length === 0) throw new Error(`--only= takes one of ${SIDES.map((side) => side.name).join(', ')}`);
  const loadBefore = loadavg()[0] ?? 0;
  const receiver = await ReceiverProcess.start();
  try {
    const results = await measure(sides, receiver);
    if (only !== undefined) {
      for (const { side, rounds } of results) {
        const ms = median(rounds.map((round) => round.ms));
        const cpu = median(rounds.map(cpuPerDelivery));
        console.log(
          `${side.label}: median ${ms.toFixed(0)} ms, ${thousands(perSecond(ms))} deliveries/s, ` +
            `${cpu.toFixed(0)} µs CPU/delivery`,
        );
      }
      return;
    }
    const section = report(results, loadBefore);
    console.log(section);
    if (args.includes('--write')) writeSection('send', section);
  } finally {
    await receiver.stop();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
