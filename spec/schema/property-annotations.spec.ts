import { Type } from 'class-transformer';
import { IsDate, IsEmail, IsInt, IsOptional, IsString, ValidateNested } from 'class-validator';
import { WebhookProperty } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { propertiesOf } from '../support/schema-of';

class Address {
  @IsString() street!: string;
}

describe('@WebhookProperty annotations', () => {
  it('adds description and title', () => {
    class Customer {
      @WebhookProperty({ description: 'Full legal name', title: 'Name' }) @IsString() name!: string;
    }
    expect(propertiesOf(Customer)).toEqual({
      name: { type: 'string', description: 'Full legal name', title: 'Name' },
    });
  });

  it('writes example as a one-item examples list', () => {
    class Customer {
      @WebhookProperty({ example: 'Ada Lovelace' }) @IsString() name!: string;
    }
    expect(propertiesOf(Customer)).toEqual({ name: { type: 'string', examples: ['Ada Lovelace'] } });
  });

  it('writes examples as they are, after example when both are given', () => {
    class Order {
      @WebhookProperty({ examples: [1, 2] }) @IsInt() quantity!: number;
      @WebhookProperty({ example: 'EUR', examples: ['USD', 'GBP'] }) @IsString() currency!: string;
    }
    expect(propertiesOf(Order)).toEqual({
      quantity: { type: 'integer', examples: [1, 2] },
      currency: { type: 'string', examples: ['EUR', 'USD', 'GBP'] },
    });
  });

  it('writes example objects and dates as they are sent', () => {
    class Order {
      @WebhookProperty({ example: { street: 'Main St 1' } }) @ValidateNested() @Type(() => Address) address!: Address;
      @WebhookProperty({ example: new Date('2024-05-06T07:08:09Z') }) @Type(() => Date) @IsDate() placedAt!: Date;
    }
    expect(propertiesOf(Order)).toEqual({
      address: { $ref: '#/components/schemas/Address', examples: [{ street: 'Main St 1' }] },
      placedAt: { type: 'string', format: 'date-time', examples: ['2024-05-06T07:08:09.000Z'] },
    });
  });

  it('lets format override an inferred format and add one where there was none', () => {
    class Account {
      @WebhookProperty({ format: 'idn-email' }) @IsEmail() email!: string;
      @WebhookProperty({ format: 'int64' }) @IsInt() balance!: number;
    }
    expect(propertiesOf(Account)).toEqual({
      email: { type: 'string', format: 'idn-email' },
      balance: { type: 'integer', format: 'int64' },
    });
  });

  it('marks deprecated and readOnly, and leaves them out when false', () => {
    class Account {
      @WebhookProperty({ deprecated: true, readOnly: true }) @IsString() legacyId!: string;
      @WebhookProperty({ deprecated: false, readOnly: false }) @IsString() id!: string;
    }
    expect(propertiesOf(Account)).toEqual({
      legacyId: { type: 'string', deprecated: true, readOnly: true },
      id: { type: 'string' },
    });
  });

  it('writes default, a Date default as its ISO string', () => {
    class Settings {
      @WebhookProperty({ default: 'en' }) @IsOptional() @IsString() locale?: string;
      @WebhookProperty({ default: 0 }) @IsInt() retries!: number;
      @WebhookProperty({ default: new Date('2024-01-02T03:04:05Z') }) @Type(() => Date) @IsDate() since!: Date;
    }
    expect(propertiesOf(Settings)).toEqual({
      locale: { type: ['string', 'null'], default: 'en' },
      retries: { type: 'integer', default: 0 },
      since: { type: 'string', format: 'date-time', default: '2024-01-02T03:04:05.000Z' },
    });
  });

  it('puts the annotations next to a $ref', () => {
    class Shipment {
      @WebhookProperty({ description: 'Where it goes', deprecated: true })
      @ValidateNested()
      @Type(() => Address)
      destination!: Address;
    }
    expect(propertiesOf(Shipment)).toEqual({
      destination: { $ref: '#/components/schemas/Address', description: 'Where it goes', deprecated: true },
    });
  });

  it('puts the annotations on the anyOf of a nullable $ref, not inside it', () => {
    class Shipment {
      @WebhookProperty({ description: 'Where it goes back to' })
      @IsOptional()
      @ValidateNested()
      @Type(() => Address)
      returnAddress?: Address;
    }
    expect(propertiesOf(Shipment)).toEqual({
      returnAddress: {
        anyOf: [{ $ref: '#/components/schemas/Address' }, { type: 'null' }],
        description: 'Where it goes back to',
      },
    });
  });

  it('combines the options of several @WebhookProperty decorators on one property', () => {
    class Customer {
      @WebhookProperty({ description: 'Name' })
      @WebhookProperty({ example: 'Ada' })
      @IsString()
      name!: string;
    }
    expect(propertiesOf(Customer)).toEqual({ name: { type: 'string', description: 'Name', examples: ['Ada'] } });
  });
});
