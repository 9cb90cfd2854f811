import { Body, Controller, Injectable, Post, Req, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiProperty, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { IsInt, IsPositive, IsString, IsUUID } from 'class-validator';
import { WebhookClient } from 'hookspec';
import { accountOf } from './auth';
import type { AuthenticatedRequest } from './auth';
import { PaymentSuccess } from './webhooks';

export class CapturePaymentDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() order_id!: string;
  @ApiProperty({ description: 'Amount, in cents.', example: 4200 }) @IsInt() @IsPositive() payment_amount!: number;
  @ApiProperty() @IsString() user_id!: string;
}

/** Captures an account's payments, and tells that account's endpoints with a `payment-success` webhook. */
@Injectable()
export class PaymentsService {
  constructor(private readonly webhooks: WebhookClient) {}

  async capture(accountId: string, request: CapturePaymentDto): Promise<PaymentSuccess> {
    const payment = Object.assign(new PaymentSuccess(), { ...request, payment_time: new Date() });
    // The payment's account owns the message: only the endpoints it registered receive it. Resolves once
    // the message is queued: delivery, with retries, goes on in the background.
    await this.webhooks.send(payment, { owner: accountId });
    return payment;
  }
}

/** The shop's REST route: its response is the webhook's payload class, so both share one schema. */
@ApiTags('payments')
@ApiBearerAuth()
@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post()
  @ApiCreatedResponse({ type: PaymentSuccess, description: 'The captured payment; payment-success is on its way.' })
  @ApiUnauthorizedResponse({ description: 'No bearer token of an account.' })
  capture(@Body() body: CapturePaymentDto, @Req() request: AuthenticatedRequest): Promise<PaymentSuccess> {
    const accountId = accountOf(request);
    if (accountId === undefined) throw new UnauthorizedException('POST /payments needs an account’s bearer token.');
    return this.payments.capture(accountId, body);
  }
}
