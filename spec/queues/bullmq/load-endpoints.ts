import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How a load-test endpoint answers: 204 at once, 204 after `delayMs`, or always 500. */
export type LoadEndpointKind =
  { readonly kind: 'healthy' } | { readonly kind: 'slow'; readonly delayMs: number } | { readonly kind: 'failing' };

/**
 * One endpoint of the load test, on its own loopback server. It keeps counts, not requests: how many
 * requests each webhook-id brought, so a run of tens of thousands of requests stays small in the test
 * process.
 */
export interface LoadEndpoint {
  readonly id: string;
  readonly url: string;
  readonly behaviour: LoadEndpointKind;
  /** Requests per webhook-id. */
  readonly byId: Map<string, number>;
  requests(): number;
  close(): Promise<void>;
}

export async function startLoadEndpoint(id: string, behaviour: LoadEndpointKind): Promise<LoadEndpoint> {
  const byId = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let requests = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      const webhookId = String(req.headers['webhook-id']);
      byId.set(webhookId, (byId.get(webhookId) ?? 0) + 1);
      if (behaviour.kind === 'failing') {
        res.writeHead(500).end('failing on purpose');
      } else if (behaviour.kind === 'slow') {
        const timer = setTimeout(() => {
          timers.delete(timer);
          res.writeHead(204).end();
        }, behaviour.delayMs);
        timers.add(timer);
      } else {
        res.writeHead(204).end();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    id,
    url: `http://127.0.0.1:${port}/hooks/${id}`,
    behaviour,
    byId,
    requests: () => requests,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
