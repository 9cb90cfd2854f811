import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the receiver got it, with the time it arrived. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly receivedAt: number;
}

/** What to answer; `never: true` keeps the request open until the receiver closes. */
export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  never?: boolean;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Requests received on one path. */
  on(path: string): ReceivedRequest[];
  /** Resolves when `count` requests have arrived (on `path`, if given); rejects after `timeoutMs`. */
  waitFor(count: number, path?: string, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/**
 * A webhook receiver on loopback for client tests: `answer(request, countOnPath)` decides each response,
 * e.g. fail the first attempt and accept the second. Closing it ends every open connection.
 */
export async function startReceiver(
  answer: (request: ReceivedRequest, countOnPath: number) => Answer = () => ({ status: 204 }),
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      requests.push(request);
      const reply = answer(request, requests.filter((r) => r.path === request.path).length);
      for (const wake of waiters) wake();
      if (reply.never) return;
      res.writeHead(reply.status ?? 204, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const on = (path: string) => requests.filter((r) => r.path === path);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on,
    waitFor(count, path, timeoutMs = 10_000) {
      const matching = () => (path === undefined ? requests : on(path));
      return new Promise((resolve, reject) => {
        const check = () => {
          if (matching().length < count) return false;
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          resolve(matching().slice(0, count));
          return true;
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== check);
          reject(new Error(`expected ${count} requests${path ? ` on ${path}` : ''}, got ${matching().length}`));
        }, timeoutMs);
        if (!check()) waiters.push(check);
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
