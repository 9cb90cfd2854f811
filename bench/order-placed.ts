// The event bench/send.ts and bench/queues.ts deliver, so that the two benchmarks send the same bytes.
import { createHmac, randomBytes } from 'node:crypto';
import { instanceToPlain, Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsNumber, IsString, Matches, Min } from 'class-validator';
import { Webhook } from '../lib';
import { VERSION } from '../lib/version';

@Webhook('order-placed', { summary: 'Order placed' })
export class OrderPlaced {
  @IsString()
  @Matches(/^ord_[0-9]+$/)
  orderId!: string;

  @IsString()
  customer!: string;

  @IsNumber()
  @Min(0)
  amount!: number;

  @IsIn(['EUR', 'USD', 'GBP'])
  currency!: string;

  @IsInt()
  @Min(1)
  items!: number;

  @Type(() => Date)
  @IsDate()
  placedAt!: Date;
}

export function orders(count: number): OrderPlaced[] {
  const start = Date.UTC(2026, 10, 1);
  return Array.from({ length: count }, (_, i) =>
    Object.assign(new OrderPlaced(), {
      orderId: `ord_${100000 + i}`,
      customer: `customer-${i % 97}@example.com`,
      amount: 1 + (i % 500) * 1.25,
      currency: ['EUR', 'USD', 'GBP'][i % 3],
      items: 1 + (i % 9),
      placedAt: new Date(start + i * 60_000),
    }),
  );
}

/** The bytes hookspec sends for each event (its serializePayload with `envelope: 'none'`). */
export function orderBodies(events: readonly OrderPlaced[]): string[] {
  return events.map((event) => JSON.stringify(instanceToPlain(event)));
}

/** A request as the raw sides send it: a body and hookspec's headers, signed beforehand. */
export interface RawRequest {
  readonly body: string;
  readonly headers: Record<string, string>;
}

/**
 * The raw sides' requests, built before the clock starts: each body with the headers hookspec sends,
 * signed as hookspec signs (node:crypto HMAC-SHA256, a fresh id, this second's timestamp). The raw
 * sides thus do none of the validating, serialising, queueing and signing that hookspec does in its time.
 */
export function signedRawRequests(bodies: readonly string[], secret: string): RawRequest[] {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const timestamp = String(Math.floor(Date.now() / 1000));
  return bodies.map((body) => {
    const id = `msg_${randomBytes(16).toString('base64url')}`;
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': `hookspec/${VERSION}`,
        'webhook-id': id,
        'webhook-timestamp': timestamp,
        'webhook-signature': `v1,${signature}`,
      },
    };
  });
}
