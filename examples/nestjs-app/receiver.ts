import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, HttpCode, Module, Post, UseGuards } from '@nestjs/common';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import express from 'express';
import { MemorySeenStore } from 'hookspec';
import { WEBHOOK_GUARD_OPTIONS, WebhookPayload, WebhookGuard, WebhookId } from 'hookspec/nestjs';
import { PaymentSuccess } from './webhooks';

/** What the receiver accepted: verified, validated, typed. */
export interface ReceivedPayment {
  id: string;
  payment: PaymentSuccess;
}

const received: ReceivedPayment[] = [];

/** The subscriber's side: a Nest app that verifies each webhook before its handler runs. */
@Controller()
class PaymentWebhooksController {
  @Post('webhooks/payments')
  @HttpCode(204)
  @UseGuards(WebhookGuard)
  paymentSucceeded(@WebhookPayload(PaymentSuccess) payment: PaymentSuccess, @WebhookId() id: string): void {
    received.push({ id, payment });
    console.log(`receiver: ${id} verified: ${payment.payment_amount} cents for order ${payment.order_id}`);
  }

  /** For the demo and its test: what was accepted so far. */
  @Get('received')
  list(): ReceivedPayment[] {
    return received;
  }
}

@Module({})
class ReceiverModule {
  /** The endpoint's secret, as the sender's management API returned it (in production: from configuration). */
  static withSecret(secret: string): DynamicModule {
    return {
      module: ReceiverModule,
      controllers: [PaymentWebhooksController],
      providers: [{ provide: WEBHOOK_GUARD_OPTIONS, useValue: { secret, seen: new MemorySeenStore() } }],
    };
  }
}

/**
 * The receiver's address comes first (the endpoint is registered with it), its secret second (the
 * registration returns it): the server listens now and answers 503 until `start(secret)` mounts the
 * Nest app on it. A sender retries a 503, so nothing is lost in between.
 */
export async function listenReceiver(port: number, host = '127.0.0.1') {
  let handler: express.Express | undefined;
  const server: Server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { 'retry-after': '1' }).end();
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  let app: INestApplication | undefined;
  return {
    url,
    async start(secret: string): Promise<void> {
      const instance = express();
      app = await NestFactory.create(ReceiverModule.withSecret(secret), new ExpressAdapter(instance), {
        rawBody: true,
        logger: ['error', 'warn'],
      });
      await app.init();
      handler = instance;
    },
    async close(): Promise<void> {
      await app?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
