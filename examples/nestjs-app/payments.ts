import { Body, Controller, Injectable, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, IsPositive, IsString, IsUUID } from 'class-validator';
import { WebhookClient } from 'hookspec';
import { PaymentSuccess } from './webhooks';

export class CapturePaymentDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() order_id!: string;
  @ApiProperty({ description: 'Amount, in cents.', example: 4200 }) @IsInt() @IsPositive() payment_amount!: number;
  @ApiProperty() @IsString() user_id!: string;
}

/** Captures payments, and tells the subscribers with a `payment-success` webhook. */
@Injectable()
export class PaymentsService {
  constructor(private readonly webhooks: WebhookClient) {}

  async capture(request: CapturePaymentDto): Promise<PaymentSuccess> {
    const payment = Object.assign(new PaymentSuccess(), { ...request, payment_time: new Date() });
    // Resolves once the message is queued: delivery, with retries, goes on in the background.
    await this.webhooks.send(payment);
    return payment;
  }
}

/** The one REST route: its response is the webhook's payload class, so both share one schema. */
@ApiTags('payments')
@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post()
  @ApiCreatedResponse({ type: PaymentSuccess, description: 'The captured payment; payment-success is on its way.' })
  capture(@Body() body: CapturePaymentDto): Promise<PaymentSuccess> {
    return this.payments.capture(body);
  }
}
