import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAxiosTransport, createUndiciTransport, type Transport } from '../../lib/transport';

/*
 * How each transport turns what the receiver sent into a TransportResponse: the final answer after an
 * informational one, a body that arrives in pieces, and header names and repeated headers.
 */
const FACTORIES = [
  ['axios', createAxiosTransport],
  ['undici', createUndiciTransport],
] as const;

type Route = (res: ServerResponse) => void;

let server: Server;
let url: string;
let route: Route;
let transport: Transport | undefined;

beforeEach(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => route(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

afterEach(async () => {
  await transport?.close();
  transport = undefined;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Writes `parts` one at a time, each after the previous one left, so they arrive as separate reads. */
function inPieces(res: ServerResponse, parts: Buffer[]): void {
  const next = (index: number): void => {
    if (index === parts.length) {
      res.end();
      return;
    }
    res.write(parts[index], () => setTimeout(() => next(index + 1), 5));
  };
  next(0);
}

describe.each(FACTORIES)('the %s transport', (_name, create) => {
  const send = () => {
    transport = create({ allowNetworks: ['127.0.0.0/8'] });
    return transport.send({ url, headers: {}, body: '{}', timeoutMs: 5_000 });
  };

  it('answers with the final response after a 103 Early Hints, not the hints', async () => {
    route = (res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('final');
    };

    const response = await send();

    expect(response).toMatchObject({ status: 200, body: 'final', truncated: false });
    expect(response.headers['content-type']).toBe('text/plain');
    expect(response.headers.link).toBeUndefined();
  });

  it('joins a body sent in pieces, a character split between two of them included', async () => {
    const text = 'reçu: 🚀 ok';
    const bytes = Buffer.from(text, 'utf8');
    const rocket = bytes.indexOf(Buffer.from('🚀', 'utf8'));
    route = (res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      inPieces(res, [
        bytes.subarray(0, rocket + 2),
        bytes.subarray(rocket + 2, rocket + 3),
        bytes.subarray(rocket + 3),
      ]);
    };

    const response = await send();

    expect(response).toMatchObject({ status: 200, body: text, truncated: false });
  });

  it('has an empty body for a 204', async () => {
    route = (res) => {
      res.writeHead(204);
      res.end();
    };

    expect(await send()).toMatchObject({ status: 204, body: '', truncated: false });
  });

  it('names headers in lower case and joins a repeated one with ", "', async () => {
    route = (res) => {
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.setHeader('X-Request-Id', 'r-42');
      res.setHeader('Retry-After', '7');
      res.writeHead(429);
      res.end();
    };

    const response = await send();

    expect(response.status).toBe(429);
    expect(response.headers).toMatchObject({ 'set-cookie': 'a=1, b=2', 'x-request-id': 'r-42', 'retry-after': '7' });
    expect(Object.keys(response.headers).every((name) => name === name.toLowerCase())).toBe(true);
  });
});
