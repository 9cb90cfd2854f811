/*
 * Memory: the heap that 100,000 pending deliveries cost in `MemoryQueue`, beyond their bodies. A client
 * with `worker: false` accepts them (validated, serialised, queued, never sent); the heap is measured
 * after a full garbage collection before and after, and the bodies' own bytes are subtracted.
 *
 *   npm run bench:memory                  print the figures (the npm script runs node --expose-gc)
 *   npm run bench:memory -- --write       and rewrite the memory section of docs/benchmarks.md
 */
import 'reflect-metadata';
import { generateSecret, MemoryQueue, WebhookClient } from '../lib';
import { orderBodies, OrderPlaced, orders } from './order-placed';
import { machine, table, writeSection } from './report';

const DELIVERIES = 100_000;
/** Heap bytes a pending delivery may cost beyond its body. */
const TARGET_BYTES = 1024;

/** V8 keeps a one-byte string in a 16-byte header (map, hash, length) plus its characters, 8-byte aligned. */
function stringHeapBytes(text: string): number {
  // eslint-disable-next-line no-control-regex
  const oneByte = !/[^\u0000-\u00ff]/.test(text);
  return Math.ceil((16 + text.length * (oneByte ? 1 : 2)) / 8) * 8;
}

function collect(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:memory does)');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function main(args: string[]): Promise<void> {
  const payloads = orders(DELIVERIES + 1);
  // The bytes hookspec sends for each (checked below against what the queue holds): subtracted as bodies.
  const bodyBytes = orderBodies(payloads.slice(1)).reduce((sum, body) => sum + stringHeapBytes(body), 0);
  const queue = new MemoryQueue();
  const client = new WebhookClient({
    webhooks: [OrderPlaced],
    endpoints: [{ url: 'https://receiver.example.com/webhook', secret: generateSecret() }],
    queue,
    worker: false,
  });
  try {
    // One send first, so that what a client and a queue build once (caches, the payload's shape) is in
    // the baseline rather than spread over the deliveries.
    await client.send(payloads[0] as OrderPlaced);
    const before = collect();
    const ids: string[] = new Array<string>(DELIVERIES);
    for (let i = 0; i < DELIVERIES; i++) ids[i] = (await client.send(payloads[i + 1] as OrderPlaced)).id;
    const after = collect();
    // The ids array is the bench's, not the queue's: a pointer each in the array.
    const benchBytes = DELIVERIES * 8;
    const pending = await queue.countPending();
    if (pending !== DELIVERIES + 1) throw new Error(`${pending} deliveries pending instead of ${DELIVERIES + 1}`);
    const sample = await queue.getMessage(ids[DELIVERIES - 1] as string);
    const expected = orderBodies([payloads[DELIVERIES] as OrderPlaced])[0];
    if (sample?.message.body !== expected) throw new Error('the queue holds another body than expected');

    const total = after - before - benchBytes;
    const perDelivery = (total - bodyBytes) / DELIVERIES;
    const kib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    const section = [
      `Measured on ${new Date().toISOString().slice(0, 10)}: ${machine()}. ${DELIVERIES.toLocaleString('en-US')} ` +
        `\`client.send()\` calls of the delivery benchmark's payload to one endpoint, on a client with ` +
        '`worker: false` and a `MemoryQueue`; heap used after three full garbage collections, before and after.',
      '',
      table([
        ['', 'heap growth', 'bodies', 'beyond the bodies', 'bytes per delivery beyond its body'],
        [
          `${DELIVERIES.toLocaleString('en-US')} pending deliveries in \`MemoryQueue\``,
          kib(total),
          kib(bodyBytes),
          kib(total - bodyBytes),
          perDelivery.toFixed(0),
        ],
      ]),
      '',
      `Heap per pending delivery beyond its body: **${perDelivery.toFixed(0)} bytes** (target <= ${TARGET_BYTES}: ` +
        `${perDelivery <= TARGET_BYTES ? 'PASS' : 'FAIL'}).`,
    ].join('\n');
    console.log(section);
    if (args.includes('--write')) writeSection('memory', section);
  } finally {
    await client.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
