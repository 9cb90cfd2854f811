import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it. */
export interface Arrival {
  readonly id: string;
  readonly body: string;
  /** The `x-worker` header: which worker sent it. */
  readonly worker: string;
}

/**
 * A loopback receiver that answers 204 after `delayMs` and records, per webhook-id, every request and
 * whether one arrived while another with the same id was still being answered: the overlap that two
 * workers holding one delivery at once would cause.
 */
export async function startOverlapReceiver(delayMs: number) {
  const arrivals: Arrival[] = [];
  const inFlight = new Map<string, number>();
  const overlaps: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const id = String(request.headers['webhook-id']);
      const open = (inFlight.get(id) ?? 0) + 1;
      inFlight.set(id, open);
      if (open > 1) overlaps.push(id);
      arrivals.push({ id, body: Buffer.concat(chunks).toString(), worker: String(request.headers['x-worker']) });
      setTimeout(() => {
        inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
        response.writeHead(204).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    arrivals,
    overlaps,
    /** How many distinct webhook-ids arrived. */
    distinct: () => new Set(arrivals.map((arrival) => arrival.id)).size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every expected id arrived at least once, always with the same body; returns what did not hold. */
export function checkArrivals(expected: readonly string[], arrivals: readonly Arrival[]) {
  const bodies = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  for (const { id, body } of arrivals) {
    counts.set(id, (counts.get(id) ?? 0) + 1);
    bodies.set(id, (bodies.get(id) ?? new Set()).add(body));
  }
  const lost = expected.filter((id) => !counts.has(id));
  const changed = [...bodies].filter(([, set]) => set.size > 1).map(([id]) => id);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
  const unexpected = [...counts.keys()].filter((id) => !expected.includes(id));
  return { lost, changed, duplicates, unexpected };
}
