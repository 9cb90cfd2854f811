import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';

/** One request as the test server received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query string, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What the `/big` route sent (all requests together), to check that the client stopped reading. */
export interface BigBodyStats {
  bytesSent: number;
  /** The client went away (or the body ended). */
  closed: boolean;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` (or `http://[::1]:<port>`). */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far: 0 proves that nothing connected. */
  readonly connections: () => number;
  /** TCP connections still open (kept alive, or in use). */
  readonly openConnections: () => number;
  readonly bigBody: BigBodyStats;
  close(): Promise<void>;
}

/**
 * A loopback HTTP server with the routes the transport tests need. Everything it starts (timers,
 * streams, sockets) stops on `close()`, so a test cannot leave traffic running.
 *
 * - `/status/<code>?header=value…` answers `<code>` with body `status <code>` and every query
 *   parameter as a response header (`?retry-after=3`, `?location=http://…`).
 * - `/echo` answers 200 with JSON `{ method, url, headers, body }` of the request.
 * - `/never` reads the request and never answers.
 * - `/drip?interval=100` sends headers, then one byte every `interval` ms, forever.
 * - `/big?bytes=N` streams N bytes lazily (honouring backpressure).
 * - `/reset` destroys the socket without answering.
 */
export async function startTestServer(host = '127.0.0.1'): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const bigBody: BigBodyStats = { bytesSent: 0, closed: false };
  const open = new Set<Socket>();
  let connections = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      route(req, res, body);
    });
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });

  function route(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://test.invalid');
    const status = /^\/status\/(\d{3})$/.exec(url.pathname);
    if (status) {
      res.writeHead(Number(status[1]), Object.fromEntries(url.searchParams));
      res.end(`status ${status[1]}`);
    } else if (url.pathname === '/echo') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    } else if (url.pathname === '/never') {
      // Keep the socket open and silent; close() destroys it.
    } else if (url.pathname === '/drip') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), Number(url.searchParams.get('interval') ?? 100));
      timers.add(timer);
      res.on('close', () => {
        clearInterval(timer);
        timers.delete(timer);
      });
    } else if (url.pathname === '/big') {
      streamBigBody(res, Number(url.searchParams.get('bytes')));
    } else if (url.pathname === '/reset') {
      req.socket.destroy();
    } else {
      res.writeHead(404);
      res.end('no such route');
    }
  }

  function streamBigBody(res: ServerResponse, total: number): void {
    const block = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const source = new Readable({
      read() {
        const size = Math.min(block.length, total - sent);
        if (size <= 0) {
          this.push(null);
          return;
        }
        sent += size;
        bigBody.bytesSent += size;
        this.push(size === block.length ? block : block.subarray(0, size));
      },
    });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) });
    source.pipe(res);
    res.on('close', () => {
      source.destroy();
      bigBody.closed = true;
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    requests,
    connections: () => connections,
    openConnections: () => open.size,
    bigBody,
    async close() {
      for (const timer of timers) clearInterval(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening on it: a server is started, its port noted, then closed. */
export async function closedPort(): Promise<number> {
  const server = await startTestServer();
  await server.close();
  return server.port;
}

/** Whether this machine can listen on ::1 (some containers have no IPv6 at all). */
export async function loopbackIPv6Available(): Promise<boolean> {
  try {
    const server = await startTestServer('::1');
    await server.close();
    return true;
  } catch {
    return false;
  }
}
