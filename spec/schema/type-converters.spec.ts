import { Expose, Type } from 'class-transformer';
import {
  IsBoolean,
  IsDate,
  IsDateString,
  IsEmail,
  IsInt,
  IsIP,
  IsISO8601,
  IsNumber,
  IsString,
  IsUrl,
  IsUUID,
} from 'class-validator';
import { WebhookProperty } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { schemaOf } from '../support/schema-of';

describe('type validators', () => {
  it('maps @IsString, @IsNumber, @IsInt and @IsBoolean to their JSON types', () => {
    class Scalars {
      @IsString() name!: string;
      @IsNumber() price!: number;
      @IsInt() quantity!: number;
      @IsBoolean() paid!: boolean;
    }
    expect(schemaOf(Scalars)).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string' },
        price: { type: 'number' },
        quantity: { type: 'integer' },
        paid: { type: 'boolean' },
      },
      required: ['name', 'price', 'quantity', 'paid'],
    });
  });

  it('lets @IsInt narrow the number that design:type says to an integer', () => {
    class Counter {
      @IsInt() count!: number;
    }
    expect(schemaOf(Counter).properties).toEqual({ count: { type: 'integer' } });
  });
});

describe('dates', () => {
  it('maps @IsDate on a Date to a date-time string, the form JSON.stringify writes', () => {
    class Dated {
      @Type(() => Date) @IsDate() startDate!: Date;
    }
    expect(schemaOf(Dated).properties).toEqual({ startDate: { type: 'string', format: 'date-time' } });
  });

  it('maps a plain Date property without a validator to a date-time string', () => {
    class Stamped {
      @Expose() createdAt!: Date;
      @Type(() => Date) updatedAt!: Date;
    }
    expect(schemaOf(Stamped)).toEqual({
      type: 'object',
      properties: {
        createdAt: { type: 'string', format: 'date-time' },
        updatedAt: { type: 'string', format: 'date-time' },
      },
      required: ['createdAt', 'updatedAt'],
    });
  });

  it('maps @IsISO8601 and @IsDateString to date-time or date strings, as class-validator accepts both', () => {
    class DateStrings {
      @IsISO8601() iso!: string;
      @IsDateString() dateString!: string;
    }
    expect(schemaOf(DateStrings).properties).toEqual({
      iso: { type: 'string', anyOf: [{ format: 'date-time' }, { format: 'date' }] },
      dateString: { type: 'string', anyOf: [{ format: 'date-time' }, { format: 'date' }] },
    });
  });
});

describe('string formats', () => {
  it('maps @IsEmail to email, @IsUrl to uri-reference (uri with require_protocol) and @IsUUID to uuid', () => {
    class Contact {
      @IsEmail() email!: string;
      @IsUrl() homepage!: string;
      @IsUrl({ require_protocol: true }) callback!: string;
      @IsUUID() id!: string;
      @IsUUID('4') requestId!: string;
    }
    expect(schemaOf(Contact).properties).toEqual({
      email: { type: 'string', format: 'email' },
      homepage: { type: 'string', format: 'uri-reference' },
      callback: { type: 'string', format: 'uri' },
      id: { type: 'string', format: 'uuid' },
      requestId: { type: 'string', format: 'uuid' },
    });
  });

  it('maps @IsIP with a version to ipv4 or ipv6, and without one to either', () => {
    class Addresses {
      @IsIP('4') v4!: string;
      @IsIP(6) v6!: string;
      @IsIP() any!: string;
    }
    expect(schemaOf(Addresses).properties).toEqual({
      v4: { type: 'string', format: 'ipv4' },
      v6: { type: 'string', format: 'ipv6' },
      any: { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] },
    });
  });
});

describe('design:type without a validator', () => {
  it('maps string, number and boolean properties that only carry @Expose to their JSON types', () => {
    class Plain {
      @Expose() name!: string;
      @Expose() count!: number;
      @Expose() active!: boolean;
    }
    expect(schemaOf(Plain)).toEqual({
      type: 'object',
      properties: { name: { type: 'string' }, count: { type: 'number' }, active: { type: 'boolean' } },
      required: ['name', 'count', 'active'],
    });
  });

  it('infers the type of a property that only carries @WebhookProperty', () => {
    class Described {
      @WebhookProperty({ description: 'Display name' }) name!: string;
    }
    expect(schemaOf(Described).properties).toEqual({ name: { type: 'string', description: 'Display name' } });
  });

  it('lets a type validator win over design:type', () => {
    // design:type says String; the validator says what is accepted, and the validator is what runs.
    class Coded {
      @IsNumber() code!: string;
    }
    expect(schemaOf(Coded).properties).toEqual({ code: { type: 'number' } });
  });
});

describe('rules that meet', () => {
  it('keeps integer when @IsNumber is written above @IsInt', () => {
    class Counts {
      @IsNumber() @IsInt() above!: number;
      @IsInt() @IsNumber() below!: number;
    }
    expect(schemaOf(Counts).properties).toEqual({ above: { type: 'integer' }, below: { type: 'integer' } });
  });
});
