import { Type } from 'class-transformer';
import { IsDate, IsInt, IsNumber, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { Payload, Webhook } from 'hookspec';

@Webhook('new-subscription', { summary: 'New subscription' })
export class Subscription {
  @IsString() username!: string;
  @IsNumber() @Min(0) monthly_fee!: number;
  @Type(() => Date) @IsDate() start_date!: Date;
}

export class Line {
  @IsString() sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

export class OrderPlaced {
  @IsString() order_id!: string;
  @ValidateNested({ each: true }) @Type(() => Line) lines!: Line[];
  @IsOptional() @IsString() note?: string | null;
}

export class Orders {
  @Webhook('order.placed') placed(@Payload() _event: OrderPlaced): void {}
}

/** A loopback-only network allow-list: tests never reach anything else. */
export const LOOPBACK = ['127.0.0.0/8', '::1/128'];

export function subscription(overrides: Partial<Subscription> = {}): Subscription {
  return Object.assign(new Subscription(), {
    username: 'ada',
    monthly_fee: 9.99,
    start_date: new Date('2026-01-01T00:00:00.000Z'),
    ...overrides,
  });
}

export function order(): OrderPlaced {
  return Object.assign(new OrderPlaced(), {
    order_id: 'o-1',
    lines: [Object.assign(new Line(), { sku: 'A-1', quantity: 2 })],
  });
}
