import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';

/** One request as the server received it, with the time it arrived. */
export interface RecordedRequest {
  readonly method: string;
  /** The request target as sent: path and query string (the absolute URL, through a proxy). */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly receivedAt: number;
}

/** What to answer; `never: true` keeps the request open until the server closes. */
export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  never?: boolean;
  /** Answer after this many milliseconds (a slow receiver). */
  delayMs?: number;
}

/** What the `/big` route sent (all requests together), to check that the client stopped reading. */
export interface BigBodyStats {
  bytesSent: number;
  /** The client went away (or the body ended). */
  closed: boolean;
}

export interface RecordingServerOptions {
  /** Default: `127.0.0.1`. */
  host?: string;
  /**
   * Decides each answer from the request and how many requests its path has had (1 for the first),
   * e.g. fail the first attempt and accept the second. Default: the routes of `startRecordingServer`.
   */
  answer?: (request: RecordedRequest, countOnPath: number) => Answer;
  /** Keep every request in `requests`; `false` only counts them, for load tests. Default: true. */
  record?: boolean;
}

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` (or `http://[::1]:<port>`), without a path. */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Requests received on one path. */
  on(path: string): RecordedRequest[];
  /** Resolves when `count` requests have arrived (on `path`, if given); rejects after `timeoutMs`. */
  waitFor(count: number, path?: string, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Requests received so far, recorded or not. */
  readonly received: () => number;
  /** TCP connections accepted so far: 0 proves that nothing connected. */
  readonly connections: () => number;
  /** TCP connections still open (kept alive, or in use). */
  readonly openConnections: () => number;
  readonly bigBody: BigBodyStats;
  close(): Promise<void>;
}

/**
 * The one loopback HTTP server of the specs: it records every request and answers with `answer`, or
 * by default with these routes. Everything it starts (timers, streams, sockets) stops on `close()`,
 * so a test cannot leave traffic running.
 *
 * - `/status/<code>?header=value…` answers `<code>` with body `status <code>` and every query
 *   parameter as a response header (`?retry-after=3`, `?location=http://…`).
 * - `/echo` answers 200 with JSON `{ method, url, headers, body }` of the request.
 * - `/never` reads the request and never answers.
 * - `/drip?interval=100` sends headers, then one byte every `interval` ms, forever.
 * - `/big?bytes=N` streams N bytes lazily (honouring backpressure).
 * - `/reset` destroys the socket without answering.
 * - anything else answers 204.
 */
export async function startRecordingServer(options: RecordingServerOptions = {}): Promise<RecordingServer> {
  const host = options.host ?? '127.0.0.1';
  const record = options.record ?? true;
  const requests: RecordedRequest[] = [];
  const countByPath = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const bigBody: BigBodyStats = { bytesSent: 0, closed: false };
  const open = new Set<Socket>();
  let connections = 0;
  let received = 0;
  let waiters: (() => boolean)[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      received += 1;
      const countOnPath = (countByPath.get(request.path) ?? 0) + 1;
      countByPath.set(request.path, countOnPath);
      if (record) requests.push(request);
      waiters = waiters.filter((check) => !check());
      if (options.answer) reply(res, options.answer(request, countOnPath));
      else route(req, res, request.body);
    });
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });

  function later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  }

  function reply(res: ServerResponse, answer: Answer): void {
    if (answer.never) return;
    const send = () => {
      res.writeHead(answer.status ?? 204, answer.headers ?? {});
      res.end(answer.body ?? '');
    };
    if (answer.delayMs !== undefined) later(answer.delayMs, send);
    else send();
  }

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
      res.writeHead(204);
      res.end();
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
  const on = (path: string) => requests.filter((r) => r.path === path);

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    requests,
    on,
    waitFor(count, path, timeoutMs = 10_000) {
      const matching = () => (path === undefined ? requests : on(path));
      return new Promise((resolve, reject) => {
        const check = () => {
          if (matching().length < count) return false;
          clearTimeout(timer);
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
    received: () => received,
    connections: () => connections,
    openConnections: () => open.size,
    bigBody,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening on it: a server is started, its port noted, then closed. */
export async function closedPort(): Promise<number> {
  const server = await startRecordingServer();
  await server.close();
  return server.port;
}

/** Whether this machine can listen on ::1 (some containers have no IPv6 at all). */
export async function loopbackIPv6Available(): Promise<boolean> {
  try {
    const server = await startRecordingServer({ host: '::1' });
    await server.close();
    return true;
  } catch {
    return false;
  }
}
