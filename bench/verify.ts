/*
 * Receiving: hookspec's verifyWebhook against the standardwebhooks package's Webhook.verify and against
 * the floor (one HMAC-SHA256 and one JSON.parse of the same body, the least any verification does), on
 * the same pre-signed requests, in one process.
 *
 *   npm run bench:verify                               print the figures
 *   npm run bench:verify -- --write                    and rewrite the verify section of docs/benchmarks.md
 *   npm run bench:verify -- --only=hookspec            one side only (hookspec, standardwebhooks or floor), e.g. under node --cpu-prof
 */
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { generateSecret, sign, verifyWebhook, WebhookVerificationError } from '../lib';
import { findTooDeep } from '../lib/payload';
import { machine, median, table, writeSection } from './report';

/** Body size -> verifications per timed round (every message, several times over). */
const ROUNDS_BY_BODY_BYTES = new Map([
  [1024, 20_000],
  [16 * 1024, 2_000],
]);
/** The body size the target applies to. */
const HEADLINE_BYTES = 1024;
const MESSAGES = 500;
/** standardwebhooks refuses timestamps older than 300 s, so a size's rounds must end well before. */
const MAX_SECONDS_PER_SIZE = 240;
const WARM_UP_ROUNDS = 3;
const TIMED_ROUNDS = 15;
/** hookspec / standardwebhooks, by median ops/s at the headline size: at least this. */
const TARGET_RATIO = 2;
/** hookspec's time per verification / the floor's, at the headline size: at most this. */
const FLOOR_TARGET = 1.3;
// Compiled to bench/dist/bench/, three levels below the package root.

/** Keeps results alive, so that the engine cannot drop a verification whose result is unused. */
let sink = 0;

interface SignedRequest {
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

/** A JSON object of about `bytes` bytes, different for every `seed`, shaped like an event payload. */
function jsonBody(bytes: number, seed: number): Buffer {
  const event = {
    type: 'invoice.paid',
    timestamp: new Date(Date.UTC(2026, 0, 1) + seed * 1000).toISOString(),
    data: {
      id: `in_${seed.toString(36).padStart(8, '0')}`,
      customer: { id: `cus_${seed}`, email: `customer${seed}@example.com`, name: 'Ada Lovelace' },
      amount_due: 4200 + seed,
      currency: 'eur',
      paid: true,
      lines: [] as { id: string; description: string; amount: number; quantity: number }[],
    },
  };
  let size = Buffer.byteLength(JSON.stringify(event));
  for (let line = 0; size < bytes; line++) {
    const item = { id: `il_${seed}_${line}`, description: `Seat ${line} – Pro plan`, amount: 1500, quantity: 1 };
    event.data.lines.push(item);
    size += Buffer.byteLength(JSON.stringify(item)) + 1;
  }
  return Buffer.from(JSON.stringify(event));
}

/**
 * Requests as an HTTP server hands them over: the raw body as a Buffer and Node's lower-case header
 * object, with the headers every request carries beside the three signature headers. Stamped now,
 * because standardwebhooks checks the timestamp against the clock and cannot be given another.
 */
function signedRequests(secret: string, bytes: number): SignedRequest[] {
  const timestamp = Math.floor(Date.now() / 1000);
  return Array.from({ length: MESSAGES }, (_, n) => {
    const body = jsonBody(bytes, n);
    const id = `msg_${n.toString(36).padStart(22, '0')}`;
    return {
      body,
      headers: {
        host: 'receiver.example.com',
        'user-agent': 'hookspec/0.1.0',
        'content-type': 'application/json',
        'content-length': String(body.length),
        'accept-encoding': 'gzip, deflate',
        connection: 'keep-alive',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': sign({ id, timestamp, body }, secret),
      },
    };
  });
}

type SideName = 'hookspec' | 'standardwebhooks' | 'floor';
const SIDE_NAMES: readonly SideName[] = ['hookspec', 'standardwebhooks', 'floor'];

interface Side {
  readonly name: SideName;
  readonly label: string;
  readonly verify: (request: SignedRequest) => unknown;
}

/**
 * Each library as its README shows it: hookspec takes the secret per call, standardwebhooks per instance.
 * The floor is what no verification can skip: one HMAC-SHA256 of the signed content (the key decoded
 * once) and one `JSON.parse` of the body; it compares nothing and checks no header, so it is not a
 * verifier, only the bound.
 */
function sides(secret: string): [Side, Side, Side] {
  const standard = new StandardWebhook(secret);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return [
    {
      name: 'hookspec',
      label: 'hookspec `verifyWebhook`',
      verify: (request) => verifyWebhook(request.body, request.headers, secret),
    },
    {
      name: 'standardwebhooks',
      label: 'standardwebhooks `Webhook.verify`',
      verify: (request) => standard.verify(request.body, request.headers),
    },
    {
      name: 'floor',
      label: 'floor: one HMAC-SHA256 + one `JSON.parse`',
      verify: (request) => {
        const mac = createHmac('sha256', key)
          .update(`${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.`)
          .update(request.body)
          .digest();
        sink += mac[0] as number;
        return JSON.parse(request.body.toString('utf8'));
      },
    },
  ];
}

/**
 * Both must accept every request with the same parsed body and refuse a tampered one; otherwise the
 * ratio would compare different work.
 */
function checkLikeForLike(requests: readonly SignedRequest[], [ours, theirs, floor]: [Side, Side, Side]): void {
  for (const request of requests) {
    const expected: unknown = JSON.parse(request.body.toString('utf8'));
    for (const side of [ours, theirs, floor]) {
      if (!isDeepStrictEqual(side.verify(request), expected)) throw new Error(`${side.name} returned another body.`);
    }
  }
  const first = requests[0];
  if (first === undefined) throw new Error('no requests to check.');
  const tampered = { ...first, body: Buffer.concat([first.body.subarray(0, -1), Buffer.from(' ')]) };
  for (const side of [ours, theirs]) {
    let refused = false;
    try {
      side.verify(tampered);
    } catch (error) {
      refused = side.name === 'hookspec' ? error instanceof WebhookVerificationError : error instanceof Error;
    }
    if (!refused) throw new Error(`${side.name} accepted a tampered body.`);
  }
}

/** Wall time and this process's CPU time (user + system) of one round, in ms. */
function timeRound(side: Side, requests: readonly SignedRequest[], verifications: number): [number, number] {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let n = 0; n < verifications; n++) {
    const body = side.verify(requests[n % requests.length]) as { data: { amount_due: number } };
    sink += body.data.amount_due;
  }
  const cpu = process.cpuUsage(cpuStart);
  return [performance.now() - start, (cpu.user + cpu.system) / 1000];
}

interface Result {
  readonly side: Side;
  readonly bytes: number;
  readonly verifications: number;
  /** Per timed round, from wall time. */
  readonly opsPerSecond: number[];
  /** Per timed round, CPU µs per verification: on a loaded machine it moves less than wall time. */
  readonly cpuMicros: number[];
}

/** The depth check every verification runs on its parsed body, alone: CPU µs per body, median of rounds. */
function depthCheckMicros(requests: readonly SignedRequest[], verifications: number): number {
  const bodies = requests.map((request): unknown => JSON.parse(request.body.toString('utf8')));
  const rounds: number[] = [];
  for (let round = 0; round < WARM_UP_ROUNDS + TIMED_ROUNDS; round++) {
    const cpuStart = process.cpuUsage();
    for (let n = 0; n < verifications; n++) {
      if (findTooDeep(bodies[n % bodies.length]) !== undefined) throw new Error('a body was found too deep.');
    }
    const cpu = process.cpuUsage(cpuStart);
    if (round >= WARM_UP_ROUNDS) rounds.push((cpu.user + cpu.system) / verifications);
  }
  return median(rounds);
}

/** Interleaved, in rotating order, so that drift (GC pressure, CPU frequency, other load) hits every side alike. */
function measure(bytes: number, verifications: number, secret: string, only: string | undefined): Result[] {
  const signedAt = performance.now();
  const requests = signedRequests(secret, bytes);
  const all = sides(secret);
  checkLikeForLike(requests, all);
  const chosen = all.filter((side) => only === undefined || side.name === only);
  const results = chosen.map((side): Result => ({ side, bytes, verifications, opsPerSecond: [], cpuMicros: [] }));
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    for (const side of chosen) timeRound(side, requests, verifications);
  }
  for (let round = 0; round < TIMED_ROUNDS; round++) {
    const order = results.map((_, k) => results[(round + k) % results.length] as Result);
    for (const result of order) {
      const [wallMs, cpuMs] = timeRound(result.side, requests, verifications);
      result.opsPerSecond.push(verifications / (wallMs / 1000));
      result.cpuMicros.push((cpuMs * 1000) / verifications);
    }
  }
  depthMicros.set(bytes, depthCheckMicros(requests, verifications));
  if (performance.now() - signedAt > MAX_SECONDS_PER_SIZE * 1000) {
    throw new Error(
      `the ${kilobytes(bytes)} rounds took over ${MAX_SECONDS_PER_SIZE} s; the timestamps were near expiry.`,
    );
  }
  return results;
}

/** Body size → CPU µs of the depth check alone. */
const depthMicros = new Map<number, number>();

function kilobytes(bytes: number): string {
  return `${bytes / 1024} kB`;
}

function report(results: Result[]): string {
  const rows: [string[], ...string[][]] = [
    ['', 'body', 'median ops/s', 'µs/op', 'min ops/s', 'max ops/s', 'CPU µs/op', 'rounds'],
  ];
  const count = (value: number): string => Math.round(value).toLocaleString('en-US');
  for (const { side, bytes, opsPerSecond, cpuMicros } of results) {
    const ops = median(opsPerSecond);
    rows.push([
      side.label,
      kilobytes(bytes),
      count(ops),
      (1e6 / ops).toFixed(1),
      count(Math.min(...opsPerSecond)),
      count(Math.max(...opsPerSecond)),
      median(cpuMicros).toFixed(1),
      String(opsPerSecond.length),
    ]);
  }
  const lines = [
    `Measured on ${new Date().toISOString().slice(0, 10)}: ${machine()}. ${MESSAGES} pre-signed requests per body ` +
      `size (one secret, Buffer bodies, Node-style headers); ${WARM_UP_ROUNDS} warm-up rounds, then ${TIMED_ROUNDS} ` +
      `timed rounds of each, interleaved (${[...ROUNDS_BY_BODY_BYTES].map(([bytes, count]) => `${count.toLocaleString('en-US')} verifications of ${kilobytes(bytes)}`).join(', ')} per round).`,
    '',
    table(rows),
    '',
  ];
  const verdict = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');
  for (const bytes of ROUNDS_BY_BODY_BYTES.keys()) {
    const [ours, theirs, floor] = SIDE_NAMES.map((name) =>
      results.find((result) => result.bytes === bytes && result.side.name === name),
    );
    const headline = bytes === HEADLINE_BYTES;
    if (ours !== undefined && theirs !== undefined) {
      const ratio = median(ours.opsPerSecond) / median(theirs.opsPerSecond);
      const cpuRatio = median(theirs.cpuMicros) / median(ours.cpuMicros);
      const target = headline
        ? `target >= ${TARGET_RATIO.toFixed(2)}: ${verdict(ratio >= TARGET_RATIO)}`
        : 'for reference';
      lines.push(
        `Ratio hookspec / standardwebhooks, ${kilobytes(bytes)} bodies (median ops/s): **${ratio.toFixed(2)}** ` +
          `(${target}; by CPU time per verification: ${cpuRatio.toFixed(2)}).`,
        '',
      );
    }
    if (ours !== undefined && floor !== undefined) {
      // Time per verification, so that 1.00 is the floor itself and more is what hookspec adds to it.
      const ratio = median(floor.opsPerSecond) / median(ours.opsPerSecond);
      const cpuRatio = median(ours.cpuMicros) / median(floor.cpuMicros);
      const target = headline
        ? `target <= ${FLOOR_TARGET.toFixed(2)}: ${verdict(ratio <= FLOOR_TARGET)}`
        : 'for reference';
      lines.push(
        `hookspec's time per verification / the floor's, ${kilobytes(bytes)} bodies (medians): ` +
          `**${ratio.toFixed(2)}** (${target}; by CPU time: ${cpuRatio.toFixed(2)}).`,
        '',
      );
    }
    const depth = depthMicros.get(bytes);
    if (ours !== undefined && depth !== undefined) {
      const share = (depth / median(ours.cpuMicros)) * 100;
      lines.push(
        `The depth check (\`findTooDeep\` on the parsed body), ${kilobytes(bytes)} bodies: ${depth.toFixed(2)} µs ` +
          `CPU, ${share.toFixed(1)} % of hookspec's verification.`,
        '',
      );
    }
  }
  return lines.join('\n').trimEnd();
}

function main(args: string[]): void {
  const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  if (only !== undefined && !SIDE_NAMES.includes(only as SideName)) {
    throw new Error(`--only takes one of ${SIDE_NAMES.join(', ')}, got ${only}.`);
  }
  if (only !== undefined && args.includes('--write')) throw new Error('--write needs every side; drop --only.');
  const secret = generateSecret();
  const results = [...ROUNDS_BY_BODY_BYTES].flatMap(([bytes, count]) => measure(bytes, count, secret, only));
  if (sink <= 0) throw new Error('no verification returned a body.');
  const section = report(results);
  console.log(section);
  if (args.includes('--write')) writeSection('verify', section);
}

main(process.argv.slice(2));
