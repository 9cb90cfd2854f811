import { Type } from 'class-transformer';
import { IsDate, IsEmail, IsInt, IsNumber, IsString, Min, ValidateBy, ValidateNested } from 'class-validator';
import { Payload, Webhook } from 'hookspec';

export class Money {
  @IsInt() @Min(0) cents!: number;
  @IsString() currency!: string;
}

/** A webhook with a declared example, a date and a nested class. */
@Webhook('invoice.paid', {
  summary: 'Invoice paid',
  description: 'Sent when an invoice is paid in full.',
  tags: ['billing'],
  examples: {
    paid: {
      summary: 'A paid invoice',
      value: {
        invoice_id: 'in_1',
        amount: { cents: 1200, currency: 'EUR' },
        paid_at: new Date('2026-02-03T04:05:06.000Z'),
      },
    },
  },
})
export class InvoicePaid {
  @IsString() invoice_id!: string;
  @ValidateNested() @Type(() => Money) amount!: Money;
  @Type(() => Date) @IsDate() paid_at!: Date;
}

export class UserSignup {
  @IsString() username!: string;
  @IsEmail() email!: string;
  @IsNumber() @Min(0) credits!: number;
}

/** A webhook without examples whose schema says enough for a generated example to validate. */
export class Accounts {
  @Webhook('user.signup', { deprecated: true }) signup(@Payload() _event: UserSignup): void {}
}

/** A rule no schema states: the sampled 0 is even, so no generated example passes. */
function IsOdd(): PropertyDecorator {
  return ValidateBy({
    name: 'isOdd',
    validator: {
      validate: (value) => typeof value === 'number' && Math.abs(value % 2) === 1,
      defaultMessage: () => '$property must be odd',
    },
  });
}

@Webhook('lottery.drawn')
export class LotteryDrawn {
  @IsInt() @IsOdd() number!: number;
}

export const WEBHOOKS = [InvoicePaid, Accounts, LotteryDrawn] as const;

/** A loopback-only network allow-list: tests never reach anything else. */
export const LOOPBACK = ['127.0.0.0/8', '::1/128'];

export function invoice(id = 'in_42'): InvoicePaid {
  return Object.assign(new InvoicePaid(), {
    invoice_id: id,
    amount: Object.assign(new Money(), { cents: 500, currency: 'USD' }),
    paid_at: new Date('2026-03-01T00:00:00.000Z'),
  });
}
