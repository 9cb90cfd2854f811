import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsDate, IsEnum, IsInt, IsNumber, IsPositive, IsString, IsUUID, Min, MinLength } from 'class-validator';
import { Payload, Webhook, WebhookProperty } from 'hookspec';

/** Class style: the payload class is the event. */
@Webhook('new-subscription', {
  summary: 'New subscription',
  description: 'Sent when a user subscribes to a paid plan.',
  tags: ['subscriptions'],
})
export class Subscription {
  @WebhookProperty({ description: 'The subscriber’s username.', example: 'ada' })
  @IsString()
  @MinLength(1)
  username!: string;

  @WebhookProperty({ description: 'Monthly fee in the account’s currency.', example: 9.99 })
  @IsNumber()
  @Min(0)
  monthly_fee!: number;

  @WebhookProperty({ description: 'When the subscription starts.' })
  @Type(() => Date)
  @IsDate()
  start_date!: Date;
}

export class PaymentSuccess {
  @WebhookProperty({ description: 'The paid order.' })
  @IsUUID()
  order_id!: string;

  @WebhookProperty({ description: 'Amount paid, in cents.', example: 4200 })
  @IsInt()
  @IsPositive()
  payment_amount!: number;

  @Type(() => Date)
  @IsDate()
  payment_time!: Date;

  @IsString()
  user_id!: string;
}

export enum StockDirection {
  Up = 'up',
  Down = 'down',
}

export class StockChange {
  @IsString()
  sku!: string;

  @WebhookProperty({ description: 'Units in stock after the change.' })
  @IsInt()
  @Min(0)
  quantity!: number;

  @IsEnum(StockDirection)
  direction!: StockDirection;
}

/** Method style, as in FastAPI: a catalog class whose methods declare events. */
export class InventoryWebhooks {
  @Webhook('payment-success', { summary: 'Payment succeeded', tags: ['billing'] })
  @Payload(PaymentSuccess)
  // The parameter is never called; it types client.send() for this payload.
  paymentSuccess(_event: PaymentSuccess): void {}

  @Webhook('stock-changed', { summary: 'Stock level changed', tags: ['inventory'] })
  stockChanged(@Payload() _event: StockChange): void {}
}
