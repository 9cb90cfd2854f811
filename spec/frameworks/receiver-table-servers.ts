import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import express from 'express';
import Fastify from 'fastify';
import { MemorySeenStore } from 'hookspec';
import { webhookMiddleware, type WebhookReceiverOptions, type WebhookRequest } from '../../lib/frameworks/express';
import { webhookRoute } from '../../lib/frameworks/fastify';
import { WebhookEventName, WebhookGuard, WebhookPayload } from '../../lib/frameworks/nestjs';
import { OrderCreated, OrderRefunded } from './fixtures/table-webhooks';
import { startNestApp } from './nestjs/nest-app';

/** `hookspec listen` refuses bodies above 5 MiB and has no flag for it: every adapter gets that limit. */
export const LIMIT = 5 * 1024 * 1024;

/** The three routes every in-process adapter serves; `hookspec listen` serves one path for all of them. */
export type Route = 'single' | 'seen' | 'multi';

/** The options of each route: one payload class; the same with a seen store; two webhooks by envelope. */
function routeOptions(secret: string): Record<Route, WebhookReceiverOptions> {
  return {
    single: { secret, webhook: OrderCreated, limit: LIMIT },
    seen: { secret, webhook: OrderCreated, seen: new MemorySeenStore(), limit: LIMIT },
    multi: { secret, webhooks: [OrderCreated, OrderRefunded], envelope: 'standard', limit: LIMIT },
  };
}

/** What a handler was given. */
export interface Received {
  readonly event: string | undefined;
  readonly payload: unknown;
}

export interface Target {
  readonly name: string;
  url(route: Route): string;
  /** What the handlers were called with (empty for `hookspec listen`, which prints instead). */
  readonly received: Received[];
  close(): Promise<void>;
}

export async function expressTarget(secret: string): Promise<Target> {
  const app = express();
  const received: Received[] = [];
  for (const [route, options] of Object.entries(routeOptions(secret))) {
    app.post(`/${route}`, webhookMiddleware(options), (req, res) => {
      const { event, payload } = (req as WebhookRequest).webhook;
      received.push({ event, payload });
      res.sendStatus(204);
    });
  }
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    name: 'Express webhookMiddleware',
    url: (route) => `${base}/${route}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function fastifyTarget(secret: string): Promise<Target> {
  const app = Fastify();
  const received: Received[] = [];
  for (const [route, options] of Object.entries(routeOptions(secret))) {
    app.register(
      webhookRoute({
        ...options,
        url: `/${route}`,
        handler: async (request, reply) => {
          received.push({ event: request.webhook.event, payload: request.webhook.payload });
          return reply.code(204).send();
        },
      }),
    );
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { name: 'Fastify webhookRoute', url: (route) => `${base}/${route}`, received, close: () => app.close() };
}

export async function nestTarget(secret: string): Promise<Target> {
  const options = routeOptions(secret);
  const received: Received[] = [];
  const record = (event: string | undefined, payload: unknown) => received.push({ event, payload });

  @Controller()
  class TableWebhooks {
    @Post('single')
    @HttpCode(204)
    @UseGuards(WebhookGuard.with(options.single))
    single(@WebhookEventName() event: string | undefined, @WebhookPayload() payload: OrderCreated): void {
      record(event, payload);
    }

    @Post('seen')
    @HttpCode(204)
    @UseGuards(WebhookGuard.with(options.seen))
    seen(@WebhookEventName() event: string | undefined, @WebhookPayload() payload: OrderCreated): void {
      record(event, payload);
    }

    @Post('multi')
    @HttpCode(204)
    @UseGuards(WebhookGuard.with(options.multi))
    multi(@WebhookEventName() event: string | undefined, @WebhookPayload() payload: unknown): void {
      record(event, payload);
    }
  }

  // Nest's JSON parser would refuse a body that is not JSON, and its 100 kB limit a large one, before
  // the guard: the raw parser hands every body to the guard, which answers as the other adapters do.
  const app = await startNestApp({ controllers: [TableWebhooks] }, { bodyParser: false }, (nest) =>
    nest.use(express.raw({ type: () => true, limit: 2 * LIMIT })),
  );
  return { name: 'Nest WebhookGuard', url: (route) => `${app.url}/${route}`, received, close: () => app.close() };
}

/** `hookspec listen` from dist/, with the table's webhooks compiled as its --module. */
export async function listenTarget(secret: string, root: string, module: string): Promise<Target> {
  const child = spawn(
    process.execPath,
    [join(root, 'dist', 'cli', 'main.js'), 'listen', '--port', '0', '--secret', secret, '--module', module],
    { cwd: root, env: { ...process.env, NO_COLOR: '1' } },
  );
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const deadline = Date.now() + 15_000;
  let url: string | undefined;
  while (url === undefined) {
    url = /^hookspec: listening on (http:\/\/\S+) /m.exec(stdout)?.[1];
    if (url === undefined && (child.exitCode !== null || Date.now() > deadline)) {
      child.kill('SIGKILL');
      throw new Error(`hookspec listen did not start:\n${stdout}`);
    }
    await delay(20);
  }
  return {
    name: 'hookspec listen',
    url: () => url,
    received: [],
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await Promise.race([exited, delay(5_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

/** A request as the table sends it: header values given as arrays go out as several header lines. */
export interface RawRequest {
  readonly headers: Record<string, string | string[]>;
  readonly body: string | Buffer;
}

export interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown> | undefined;
}

/** POSTs with node:http, which sends an array header as several lines (fetch would join them first). */
export function send(url: string, { headers, body }: RawRequest): Promise<Answer> {
  const bytes = Buffer.from(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: 'POST', agent: false, headers: { 'content-length': String(bytes.length), ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            json = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, json });
        });
      },
    );
    // A receiver may answer 413 and close before a large body is all sent; the answer is what counts.
    outgoing.on('error', reject);
    outgoing.setTimeout(20_000, () => outgoing.destroy(new Error(`no answer from ${url} within 20 s`)));
    outgoing.end(bytes);
  });
}
