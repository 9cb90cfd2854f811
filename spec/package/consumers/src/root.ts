// What a user writes against the root entry: compiled by scripts/check-package.cjs in each consumer
// project with skipLibCheck false, so every declaration file that `hookspec` reaches is type-checked.
import 'reflect-metadata';
import { IsString } from 'class-validator';
import { buildOpenApi, generateSecret, MemoryQueue, Webhook, WebhookClient } from 'hookspec';
import type { MemoryQueueOptions, WebhookEndpoint } from 'hookspec';

@Webhook('order.paid')
export class OrderPaid {
  @IsString() orderId!: string;
}

const endpoints: WebhookEndpoint[] = [{ url: 'https://user.example.com/hooks', secret: generateSecret() }];
const queueOptions: MemoryQueueOptions = {};

export const client = new WebhookClient({ webhooks: [OrderPaid], endpoints, queue: new MemoryQueue(queueOptions) });
export const document = buildOpenApi({ webhooks: [OrderPaid], info: { title: 'Shop', version: '1.0.0' } });
