// Run by scripts/check-package.cjs in the consumers with peers, compiled to out/smoke.js: one real
// request through each adapter and a Nest application context with HookspecModule, on the peer versions
// that the project locks (the oldest supported in ts5.9, the newest in ts7). Prints what it saw and exits
// 1 when that is not what a working package gives.
import 'reflect-metadata';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { IsString } from 'class-validator';
import express from 'express';
import { fastify } from 'fastify';
import { generateSecret, sign, Webhook, WebhookClient } from 'hookspec';
import { webhookMiddleware } from 'hookspec/express';
import type { WebhookRequest } from 'hookspec/express';
import { webhookRoute } from 'hookspec/fastify';
import { HookspecModule } from 'hookspec/nestjs';

@Webhook('order.refunded')
class OrderRefunded {
  @IsString() orderId!: string;
}

const secret = generateSecret();
const valid = JSON.stringify({ orderId: 'o-1' });
const invalid = JSON.stringify({ orderId: 7 });

/** The headers of a request signed with `secret`, as hookspec's client sends them. */
function signed(body: string): Record<string, string> {
  const id = `msg_smoke${Math.random().toString(36).slice(2)}`;
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sign({ id, timestamp, body }, secret),
  };
}

async function viaExpress(): Promise<string> {
  const app = express();
  app.post('/hooks', webhookMiddleware({ webhook: OrderRefunded, secret }), (req, res) => {
    res.status(200).json({ orderId: (req as unknown as WebhookRequest<OrderRefunded>).webhook.id.startsWith('msg_') });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    const ok = await fetch(url, { method: 'POST', headers: signed(valid), body: valid });
    const refused = await fetch(url, { method: 'POST', headers: signed(invalid), body: invalid });
    return `express ${ok.status} ${refused.status}`;
  } finally {
    server.close();
  }
}

async function viaFastify(): Promise<string> {
  const app = fastify();
  await app.register(
    webhookRoute({
      url: '/hooks',
      webhook: OrderRefunded,
      secret,
      handler: (_request, reply) => reply.code(200).send(),
    }),
  );
  try {
    const ok = await app.inject({ method: 'POST', url: '/hooks', headers: signed(valid), payload: valid });
    const refused = await app.inject({ method: 'POST', url: '/hooks', headers: signed(invalid), payload: invalid });
    return `fastify ${ok.statusCode} ${refused.statusCode}`;
  } finally {
    await app.close();
  }
}

async function viaNest(): Promise<string> {
  // Imported, not required: Nest 12 is an ES module (hookspec/nestjs reaches the same instance).
  const { Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  class AppModule {}
  Module({ imports: [HookspecModule.forRoot({ webhooks: [OrderRefunded], endpoints: [] })] })(AppModule);
  const context = await NestFactory.createApplicationContext(AppModule, { logger: false });
  try {
    return `nest ${context.get(WebhookClient) instanceof WebhookClient ? 'client' : 'no client'}`;
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const seen = [await viaExpress(), await viaFastify(), await viaNest()];
  const expected = ['express 200 400', 'fastify 200 400', 'nest client'];
  console.log(seen.join(', '));
  if (seen.join() !== expected.join()) {
    console.error(`expected: ${expected.join(', ')}`);
    process.exitCode = 1;
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
