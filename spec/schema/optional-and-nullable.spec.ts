import { Type } from 'class-transformer';
import {
  Equals,
  IsArray,
  IsEnum,
  IsIn,
  IsInt,
  IsIP,
  IsOptional,
  IsString,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { buildOpenApi, Webhook, WebhookProperty } from 'hookspec';
import type { SchemaObject } from 'openapi3-ts/oas31';
import { describe, expect, it } from 'vitest';
import { schemaOf } from '../support/schema-of';

/** Every object key anywhere in a JSON value, with the path to it. */
function keysIn(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => keysIn(item, `${path}[${index}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [`${path}.${key}`, ...keysIn(child, `${path}.${key}`)]);
}

enum Plan {
  Free = 'free',
  Pro = 'pro',
}

class Address {
  @IsString() street!: string;
}

describe('@IsOptional', () => {
  it('maps @IsOptional to not required and allows null with a type list', () => {
    class Profile {
      @IsString() id!: string;
      @IsOptional() @IsString() nickname?: string;
      @IsOptional() @IsInt() age?: number;
    }
    expect(schemaOf(Profile)).toEqual({
      type: 'object',
      properties: {
        id: { type: 'string' },
        nickname: { type: ['string', 'null'] },
        age: { type: ['integer', 'null'] },
      },
      required: ['id'],
    });
  });

  it('adds null to the enum of an optional enum, as well as to its type', () => {
    class Subscription {
      @IsOptional() @IsEnum(Plan) plan?: Plan;
    }
    expect(schemaOf(Subscription).properties).toEqual({
      plan: { type: ['string', 'null'], enum: ['free', 'pro', null] },
    });
  });

  it('adds null to an enum that has no common type', () => {
    class Loose {
      @IsOptional() @IsIn(['auto', 0]) mode?: string | number;
    }
    expect(schemaOf(Loose).properties).toEqual({ mode: { enum: ['auto', 0, null] } });
  });

  it('wraps an optional $ref in anyOf with null', () => {
    class Customer {
      @IsOptional() @ValidateNested() @Type(() => Address) address?: Address;
    }
    expect(schemaOf(Customer)).toEqual({
      type: 'object',
      properties: { address: { anyOf: [{ $ref: '#/components/schemas/Address' }, { type: 'null' }] } },
    });
  });

  it('wraps an optional const in anyOf with null', () => {
    class Versioned {
      @IsOptional() @Equals('v1') version?: string;
    }
    expect(schemaOf(Versioned).properties).toEqual({
      version: { anyOf: [{ type: 'string', const: 'v1' }, { type: 'null' }] },
    });
  });

  it('wraps a schema that already has anyOf instead of adding null inside it', () => {
    class Connection {
      @IsOptional() @IsIP() ip?: string;
    }
    expect(schemaOf(Connection).properties).toEqual({
      ip: { anyOf: [{ type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] }, { type: 'null' }] },
    });
  });

  it('allows null for an optional array but not for its items', () => {
    class Tagged {
      @IsOptional() @IsArray() @IsString({ each: true }) tags?: string[];
    }
    expect(schemaOf(Tagged).properties).toEqual({ tags: { type: ['array', 'null'], items: { type: 'string' } } });
  });

  it('leaves out required when every property is optional', () => {
    class Patch {
      @IsOptional() @IsString() name?: string;
    }
    expect(schemaOf(Patch)).toEqual({ type: 'object', properties: { name: { type: ['string', 'null'] } } });
  });
});

describe('@WebhookProperty({ nullable: true })', () => {
  it('keeps the property required but allows null', () => {
    class Cancellation {
      @WebhookProperty({ nullable: true }) @IsString() reason!: string | null;
    }
    expect(schemaOf(Cancellation)).toEqual({
      type: 'object',
      properties: { reason: { type: ['string', 'null'] } },
      required: ['reason'],
    });
  });

  it('wraps a nullable $ref in anyOf and keeps it required', () => {
    class Shipment {
      @WebhookProperty({ nullable: true }) @ValidateNested() @Type(() => Address) returnAddress!: Address | null;
    }
    expect(schemaOf(Shipment)).toEqual({
      type: 'object',
      properties: { returnAddress: { anyOf: [{ $ref: '#/components/schemas/Address' }, { type: 'null' }] } },
      required: ['returnAddress'],
    });
  });

  it('adds null only once when the property is both optional and nullable', () => {
    class Both {
      @IsOptional() @WebhookProperty({ nullable: true }) @IsEnum(Plan) plan?: Plan | null;
    }
    expect(schemaOf(Both).properties).toEqual({ plan: { type: ['string', 'null'], enum: ['free', 'pro', null] } });
  });
});

describe('@ValidateIf', () => {
  it('maps @ValidateIf to not required, without allowing null', () => {
    class Payment {
      @IsIn(['card', 'transfer']) method!: string;
      @ValidateIf((payment: Payment) => payment.method === 'card') @IsString() cardLast4?: string;
    }
    expect(schemaOf(Payment)).toEqual({
      type: 'object',
      properties: { method: { type: 'string', enum: ['card', 'transfer'] }, cardLast4: { type: 'string' } },
      required: ['method'],
    });
  });
});

describe('OpenAPI 3.1 nullability', () => {
  it('never writes the 3.0 keyword nullable anywhere in the document', () => {
    @Webhook('profile.updated')
    class ProfileUpdated {
      @IsOptional() @IsString() nickname?: string;
      @IsOptional() @IsEnum(Plan) plan?: Plan;
      @IsOptional() @IsIn(['auto', 0]) mode?: string | number;
      @IsOptional() @Equals('v1') version?: string;
      @IsOptional() @ValidateNested() @Type(() => Address) address?: Address;
      @IsOptional() @ValidateNested({ each: true }) @Type(() => Address) previous?: Address[];
      @WebhookProperty({ nullable: true }) @IsInt() score!: number | null;
      @WebhookProperty({ nullable: true, schema: { oneOf: [{ type: 'string' }, { type: 'number' }] } })
      value!: string | number | null;
    }
    const document = buildOpenApi({ webhooks: [ProfileUpdated] });
    const keys = keysIn(document);
    expect(keys.length).toBeGreaterThan(20);
    expect(keys.filter((key) => key.endsWith('.nullable'))).toEqual([]);
    expect((document.components?.schemas?.ProfileUpdated as SchemaObject).properties?.value).toEqual({
      anyOf: [{ oneOf: [{ type: 'string' }, { type: 'number' }] }, { type: 'null' }],
    });
  });
});
