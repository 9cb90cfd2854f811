import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { handleAdminRequest } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { MEMORY, startHarness, stopHarnesses } from '../admin-harness';
import { call } from './admin-servers';

afterEach(stopHarnesses);

describe('handleAdminRequest', () => {
  it('serves the API on a plain node:http server that parses JSON and authenticates itself', async () => {
    const h = await startHarness(MEMORY);
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://localhost');
      const response = await handleAdminRequest(h.admin, {
        method: req.method ?? 'GET',
        path: url.pathname.replace(/^\/admin/, ''),
        query: Object.fromEntries(url.searchParams),
        body: text === '' ? undefined : JSON.parse(text),
        owner: String(req.headers['x-account']),
      });
      res.writeHead(response.status, response.headers);
      res.end(response.body === undefined ? undefined : JSON.stringify(response.body));
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
      const headers = { 'x-account': 'acct_A' };
      const created = await call(base, 'POST', '/endpoints', { headers, body: { url: `${h.server.url}/a` } });
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toBe('no-store');
      const id = (created.json?.endpoint as { id: string }).id;
      expect((await call(base, 'GET', `/endpoints/${encodeURIComponent(id)}`, { headers })).json).toMatchObject({ id });
      const notFound = await call(base, 'GET', '/endpoints/%zz', { headers });
      expect({ status: notFound.status, code: notFound.json?.code }).toEqual({ status: 404, code: 'not-found' });
      expect((await call(base, 'DELETE', `/endpoints/${id}`, { headers })).status).toBe(204);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers a failing store 500 without a word of it, and hands the error to onError', async () => {
    const h = await startHarness(MEMORY);
    const failure = new Error('disk full at /var/lib/app/webhooks.db');
    h.endpoints.list = () => Promise.reject(failure);
    const reported: unknown[] = [];
    const response = await handleAdminRequest(
      h.admin,
      { method: 'GET', path: '/endpoints', owner: 'acct_A' },
      { onError: (error) => reported.push(error) },
    );
    expect(response).toEqual({
      status: 500,
      headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
      body: {
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'The server could not complete the request. The error was reported to its operators.',
        code: 'internal-error',
      },
    });
    expect(reported).toEqual([failure]);

    // An owner the calling code got wrong is its fault, not the client's: a 500 too, never a 4xx.
    const noOwner = await handleAdminRequest(
      h.admin,
      { method: 'GET', path: '/messages', owner: undefined as never },
      { onError: (error) => reported.push(error) },
    );
    expect({ status: noOwner.status, code: (noOwner.body as { code: string }).code }).toEqual({
      status: 500,
      code: 'internal-error',
    });
    expect(reported[1]).toMatchObject({ code: 'invalid-option', message: expect.stringContaining('got undefined') });
  });

  it('lists every invalid field of a body, each with its path', async () => {
    const h = await startHarness(MEMORY);
    const response = await handleAdminRequest(h.admin, {
      method: 'POST',
      path: '/endpoints',
      owner: null,
      body: { url: '', events: ['ok', 'not ok'], headers: { 'x-n': 1 }, enabled: 'yes', secret: 'sk_1' },
    });
    expect(response.status).toBe(400);
    const problem = response.body as { code: string; errors: { path: string; message: string }[] };
    expect(problem.code).toBe('invalid-request');
    expect([...new Set(problem.errors.map((error) => error.path))].sort()).toEqual([
      'enabled',
      'events',
      'headers',
      'secret',
      'url',
    ]);
    expect(problem.errors.find((error) => error.path === 'headers')?.message).toBe(
      'headers must be an object whose values are strings',
    );
  });
});
