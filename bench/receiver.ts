/*
 * The receiving end of bench/send.ts, run in a child process (fork) so that the receiver does not share
 * the sender's event loop. A plain keep-alive HTTP server on 127.0.0.1, on a port the OS picks: it reads
 * each request's body, answers 204, and counts. It speaks to its parent over IPC only:
 *
 *   child → parent   { type: 'listening', port }                         once, when it accepts connections
 *   parent → child   { type: 'reset' }         → { type: 'reset' }       zero the counters before a round
 *   parent → child   { type: 'report' }        → { type: 'report', … }   what the round delivered
 *
 * It exits when the parent disconnects (closes the channel, exits or dies).
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

/** What a round left on the receiving side. */
export interface ReceiverReport {
  readonly type: 'report';
  /** TCP connections opened during the round: at most the concurrency when keep-alive works. */
  readonly connections: number;
  /** Requests whose body was read completely and answered. */
  readonly requests: number;
  /** Sum of the body lengths, in bytes: the same on every side when every side sends the same bodies. */
  readonly bodyBytes: number;
  /** Requests that were not `POST /webhook`, or lacked a `webhook-id` or `webhook-signature` header. */
  readonly malformed: number;
  /** Distinct `webhook-id`s: a delivery made twice (a retry, a duplicate) would show here. */
  readonly distinctIds: number;
  /** The first request of the round, so that the parent can verify its signature. */
  readonly sample?: { readonly headers: Record<string, string>; readonly body: string };
}

export type ReceiverMessage =
  { readonly type: 'listening'; readonly port: number } | { readonly type: 'reset' } | ReceiverReport;

if (!process.send) {
  console.error('bench/receiver runs as a child of bench/send (it needs an IPC channel).');
  process.exit(1);
}

let connections = 0;
let requests = 0;
let bodyBytes = 0;
let malformed = 0;
let ids = new Set<string>();
let sample: ReceiverReport['sample'];

const server = createServer({ keepAlive: true }, (request, response) => {
  const chunks: Buffer[] = [];
  let length = 0;
  request.on('data', (chunk: Buffer) => {
    length += chunk.length;
    if (!sample) chunks.push(chunk);
  });
  request.on('end', () => {
    requests += 1;
    bodyBytes += length;
    const id = request.headers['webhook-id'];
    if (request.method !== 'POST' || request.url !== '/webhook' || !id || !request.headers['webhook-signature']) {
      malformed += 1;
    }
    if (typeof id === 'string') ids.add(id);
    if (!sample) sample = { headers: flat(request.headers), body: Buffer.concat(chunks).toString('utf8') };
    response.writeHead(204);
    response.end();
  });
});
server.on('connection', () => (connections += 1));
// Connections stay open between the rounds of one side (a few seconds at most).
server.keepAliveTimeout = 30_000;

function flat(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

function reply(message: ReceiverMessage): void {
  process.send?.(message);
}

process.on('message', (message: { type?: string }) => {
  if (message.type === 'reset') {
    connections = 0;
    requests = 0;
    bodyBytes = 0;
    malformed = 0;
    ids = new Set();
    sample = undefined;
    reply({ type: 'reset' });
  } else if (message.type === 'report') {
    reply({
      type: 'report',
      connections,
      requests,
      bodyBytes,
      malformed,
      distinctIds: ids.size,
      ...(sample ? { sample } : {}),
    });
  }
});

// The parent closed the channel, exited or died: stop serving and leave.
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
  process.exit(0);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the receiver has no TCP port');
  reply({ type: 'listening', port: address.port });
});
