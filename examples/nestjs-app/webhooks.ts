import 'reflect-metadata';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsEnum, IsInt, IsNumber, IsPositive, IsString, IsUUID, Min, MinLength } from 'class-validator';
import { Webhook } from 'hookspec';

/*
 * The three webhooks, as Nest DTOs: @ApiProperty documents them for @nestjs/swagger and hookspec alike,
 * class-validator checks them before they are sent. `hookspec generate dist/webhooks.js` documents every
 * class exported here, so this module only declares.
 */

@Webhook('new-subscription', { summary: 'New subscription', tags: ['subscriptions'] })
export class Subscription {
  @ApiProperty({ description: 'The subscriber’s username.', example: 'ada' })
  @IsString()
  @MinLength(1)
  username!: string;

  @ApiProperty({ description: 'Monthly fee in the account’s currency.', example: 9.99 })
  @IsNumber()
  @Min(0)
  monthly_fee!: number;

  @ApiProperty({ description: 'When the subscription starts.' })
  @Type(() => Date)
  @IsDate()
  start_date!: Date;
}

@Webhook('payment-success', { summary: 'Payment succeeded', tags: ['billing'] })
export class PaymentSuccess {
  @ApiProperty({ description: 'The paid order.', format: 'uuid' })
  @IsUUID()
  order_id!: string;

  @ApiProperty({ description: 'Amount paid, in cents.', example: 4200 })
  @IsInt()
  @IsPositive()
  payment_amount!: number;

  @ApiProperty({ description: 'When the payment was captured.' })
  @Type(() => Date)
  @IsDate()
  payment_time!: Date;

  @ApiProperty({ description: 'The paying user.' })
  @IsString()
  user_id!: string;
}

export enum StockDirection {
  Up = 'up',
  Down = 'down',
}

@Webhook('stock-changed', { summary: 'Stock level changed', tags: ['inventory'] })
export class StockChange {
  @ApiProperty({ example: 'SKU-1' })
  @IsString()
  sku!: string;

  @ApiProperty({ description: 'Units in stock after the change.' })
  @IsInt()
  @Min(0)
  quantity!: number;

  @ApiProperty({ enum: StockDirection })
  @IsEnum(StockDirection)
  direction!: StockDirection;
}

/** Every webhook this service sends: the client's catalog and the document's list. */
export const webhooks = [Subscription, PaymentSuccess, StockChange] as const;
