// Every subpath entry, as an application with all the optional peers installed imports them.
import { BullMqQueue } from 'hookspec/bullmq';
import { PostgresQueue } from 'hookspec/postgres';
import { webhookMiddleware } from 'hookspec/express';
import type { WebhookRequest } from 'hookspec/express';
import { webhookRoute } from 'hookspec/fastify';
import { HookspecModule } from 'hookspec/nestjs';
import { IsString } from 'class-validator';
import { generateSecret, Webhook } from 'hookspec';

@Webhook('order.shipped')
export class OrderShipped {
  @IsString() orderId!: string;
}

export const middleware = webhookMiddleware({ webhook: OrderShipped, secret: generateSecret() });
export const idOf = (request: WebhookRequest<OrderShipped>): string => request.webhook.id;
export const route = webhookRoute({
  url: '/hooks',
  webhook: OrderShipped,
  secret: generateSecret(),
  handler: () => 204,
});
export const module = HookspecModule;
export const queue = (): BullMqQueue => new BullMqQueue({ connection: { host: '127.0.0.1', port: 6379 } });
export const postgresQueue = (): PostgresQueue =>
  new PostgresQueue({ connectionString: 'postgres://app@127.0.0.1:5432/app' });
