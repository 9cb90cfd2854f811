// The event bench/send.ts and bench/queues.ts deliver, so that the two benchmarks send the same bytes.
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsNumber, IsString, Matches, Min } from 'class-validator';
import { Webhook } from '../lib';

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
