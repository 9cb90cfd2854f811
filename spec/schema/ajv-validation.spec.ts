import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Exclude, Expose, instanceToPlain, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayNotEmpty,
  ArrayUnique,
  Equals,
  IsArray,
  IsBoolean,
  IsDate,
  IsDateString,
  IsEmail,
  IsEnum,
  IsIn,
  IsInt,
  IsIP,
  IsISO8601,
  IsNegative,
  IsNotEmpty,
  IsNotEmptyObject,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { Webhook, WebhookProperty } from 'hookspec';
import type { SchemaObject } from 'openapi3-ts/oas31';
import { describe, expect, it } from 'vitest';
import { componentsOf } from '../support/schema-of';

/*
 * Formats are checked with ajv-formats (a devDependency). Strict mode refuses unknown keywords and formats,
 * types that contradict their keywords, and required properties that are not defined.
 */
const DOCUMENT_ID = 'https://hookspec.test/openapi.json';

/** An Ajv 2020 instance holding the schemas as they sit in a document, so `#/components/schemas/X` resolves. */
function ajvFor(schemas: Record<string, SchemaObject>): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addVocabulary(['components']);
  ajv.addSchema({ $id: DOCUMENT_ID, components: { schemas } });
  return ajv;
}

/** The body exactly as the client sends it. */
function wireBody(instance: object): unknown {
  return JSON.parse(JSON.stringify(instanceToPlain(instance)));
}

enum OrderStatus {
  Placed = 'placed',
  Paid = 'paid',
}

enum Priority {
  Low,
  High,
}

class Money {
  @IsInt() @Min(0) amount!: number;
  @Matches(/^[A-Z]{3}$/) currency!: string;
}

class Customer {
  @IsUUID() id!: string;
  @IsEmail() email!: string;
  @Expose({ name: 'full_name' }) @IsString() @IsNotEmpty() fullName!: string;
  @IsOptional() @IsUrl() website?: string;
  @Exclude() @IsString() passwordHash!: string;
}

class Category {
  @IsString() name!: string;
  @IsOptional() @ValidateNested() @Type(() => Category) parent?: Category;
}

class OrderLine {
  @IsString() @Length(1, 32) sku!: string;
  @IsInt() @IsPositive() quantity!: number;
  @ValidateNested() @Type(() => Money) unitPrice!: Money;
  @IsOptional() @IsString({ each: true }) @ArrayUnique() tags?: string[];
}

@Webhook('order.placed')
class OrderPlaced {
  @IsUUID('4') orderId!: string;
  @IsEnum(OrderStatus) status!: OrderStatus;
  @IsEnum(Priority) priority!: Priority;
  @ValidateNested() @Type(() => Customer) customer!: Customer;
  @IsArray() @ValidateNested({ each: true }) @ArrayMinSize(1) @Type(() => OrderLine) lines!: OrderLine[];
  @ValidateNested() @Type(() => Money) total!: Money;
  @Type(() => Date) @IsDate() placedAt!: Date;
  @IsOptional() @IsString() couponCode?: string;
  @WebhookProperty({ nullable: true }) @IsIP('4') clientIp!: string | null;
  @IsOptional() @IsIn(['web', 1]) channel?: string | number;
  @IsOptional() @ValidateNested() @Type(() => Category) category?: Category;
  @WebhookProperty({ description: 'Your reference', schema: { oneOf: [{ type: 'string' }, { type: 'integer' }] } })
  reference!: string | number;
}

function validOrder(): OrderPlaced {
  const customer = Object.assign(new Customer(), {
    id: '0b6f1c1e-8d2b-4d8e-9f47-2c0b3a6f9e11',
    email: 'ada@example.com',
    fullName: 'Ada Lovelace',
    website: 'https://ada.example.com',
    passwordHash: 'never-sent',
  });
  const price = (amount: number) => Object.assign(new Money(), { amount, currency: 'EUR' });
  const line = (sku: string, quantity: number, tags?: string[]) =>
    Object.assign(new OrderLine(), { sku, quantity, unitPrice: price(250), ...(tags ? { tags } : {}) });
  const books = Object.assign(new Category(), { name: 'Books' });
  return Object.assign(new OrderPlaced(), {
    orderId: '3f1c6a52-4b7e-4c1a-8d9e-0a1b2c3d4e5f',
    status: OrderStatus.Paid,
    priority: Priority.High,
    customer,
    lines: [line('BOOK-1', 2, ['gift', 'paper']), line('PEN-7', 1)],
    total: price(750),
    placedAt: new Date('2024-05-06T07:08:09Z'),
    couponCode: null,
    clientIp: '203.0.113.7',
    channel: 1,
    category: Object.assign(new Category(), { name: 'Poetry', parent: books }),
    reference: 42,
  });
}

describe('Ajv 2020 in strict mode', () => {
  const schemas = componentsOf(OrderPlaced);
  const ajv = ajvFor(schemas);
  const validate = ajv.getSchema(`${DOCUMENT_ID}#/components/schemas/OrderPlaced`);

  it('compiles every component schema of the document', () => {
    expect(Object.keys(schemas)).toEqual(['Category', 'Customer', 'Money', 'OrderLine', 'OrderPlaced']);
    for (const name of Object.keys(schemas)) {
      expect(ajv.getSchema(`${DOCUMENT_ID}#/components/schemas/${name}`), name).toBeTypeOf('function');
    }
  });

  it('accepts the body of a valid nested instance, as instanceToPlain and JSON.stringify write it', () => {
    const order = validOrder();
    expect(validateSync(order)).toEqual([]);
    const body = wireBody(order);
    expect(body).toMatchObject({ customer: { full_name: 'Ada Lovelace' }, placedAt: '2024-05-06T07:08:09.000Z' });
    expect(validate?.(body), JSON.stringify(validate?.errors)).toBe(true);
  });

  it('accepts a body whose optional properties are left out', () => {
    const order = validOrder();
    delete order.couponCode;
    delete order.category;
    delete order.channel;
    delete order.customer.website;
    expect(validateSync(order)).toEqual([]);
    expect(validate?.(wireBody(order)), JSON.stringify(validate?.errors)).toBe(true);
  });

  it('accepts null where @WebhookProperty({ nullable: true }) allows it', () => {
    const body = wireBody(validOrder()) as Record<string, unknown>;
    body.clientIp = null;
    expect(validate?.(body), JSON.stringify(validate?.errors)).toBe(true);
  });

  it('refuses a body with a value of the wrong type', () => {
    const body = wireBody(validOrder()) as { lines: { quantity: unknown }[] };
    body.lines[0]!.quantity = '2';
    expect(validate?.(body)).toBe(false);
    expect(validate?.errors?.map((error) => error.instancePath)).toContain('/lines/0/quantity');
  });

  it('refuses a body with a required property missing', () => {
    const body = wireBody(validOrder()) as { customer: Record<string, unknown> };
    delete body.customer.email;
    expect(validate?.(body)).toBe(false);
    expect(validate?.errors).toContainEqual(
      expect.objectContaining({ instancePath: '/customer', keyword: 'required', params: { missingProperty: 'email' } }),
    );
  });

  it('refuses the class property name where the body carries the @Expose name', () => {
    const body = wireBody(validOrder()) as { customer: Record<string, unknown> };
    body.customer.fullName = body.customer.full_name;
    delete body.customer.full_name;
    expect(validate?.(body)).toBe(false);
  });

  it('refuses null for a property that is neither optional nor nullable, and a value outside the enum', () => {
    const withNull = wireBody(validOrder()) as Record<string, unknown>;
    withNull.status = null;
    expect(validate?.(withNull)).toBe(false);
    const outside = wireBody(validOrder()) as Record<string, unknown>;
    outside.priority = 'High';
    expect(validate?.(outside)).toBe(false);
  });

  it('refuses values that break a format, a pattern or an array rule', () => {
    const badEmail = wireBody(validOrder()) as { customer: { email: string } };
    badEmail.customer.email = 'not-an-email';
    expect(validate?.(badEmail)).toBe(false);
    const badCurrency = wireBody(validOrder()) as { total: { currency: string } };
    badCurrency.total.currency = 'eur';
    expect(validate?.(badCurrency)).toBe(false);
    const noLines = wireBody(validOrder()) as { lines: unknown[] };
    noLines.lines = [];
    expect(validate?.(noLines)).toBe(false);
  });
});

describe('every converter row in strict mode', () => {
  @Webhook('kitchen.sink')
  class KitchenSink {
    @IsString() @MinLength(1) @MaxLength(9) text!: string;
    @IsNumber() @Min(0) @Max(1) ratio!: number;
    @IsInt() @IsNegative() debt!: number;
    @IsPositive() credit!: number;
    @IsBoolean() flag!: boolean;
    @Type(() => Date) @IsDate() at!: Date;
    @IsISO8601() iso!: string;
    @IsDateString() dateString!: string;
    @IsEmail() email!: string;
    @IsUrl() url!: string;
    @IsUUID() uuid!: string;
    @IsIP() ip!: string;
    @IsOptional() @IsIP() optionalIp?: string;
    @IsEnum(OrderStatus) status!: OrderStatus;
    @IsOptional() @IsEnum(Priority) priority?: Priority;
    @IsIn(['a', 1]) mixed!: string | number;
    @IsOptional() @Equals('v1') version?: string;
    @Matches(/^[a-z]+$/) word!: string;
    @IsNotEmpty() name!: string;
    @IsArray() @IsInt({ each: true }) @ArrayNotEmpty() @ArrayMaxSize(3) @ArrayUnique() ids!: number[];
    @IsObject() metadata!: Record<string, unknown>;
    @IsNotEmptyObject() labels!: Record<string, string>;
    @ValidateIf((sink: KitchenSink) => sink.flag) @IsString() when?: string;
    @WebhookProperty({ format: 'int64', deprecated: true, readOnly: true, example: 1, default: 0 })
    @IsInt()
    big!: number;
  }

  it('compiles a schema that uses every built-in converter', () => {
    const schemas = componentsOf(KitchenSink);
    const ajv = ajvFor(schemas);
    expect(ajv.getSchema(`${DOCUMENT_ID}#/components/schemas/KitchenSink`)).toBeTypeOf('function');
  });
});
