import { Expose, Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsInt, IsNumber, IsString, ValidateNested } from 'class-validator';
import { WebhookProperty } from 'hookspec';
import type { SchemaObject } from 'openapi3-ts/oas31';
import { describe, expect, it } from 'vitest';
import { componentsOf } from '../support/schema-of';

class Money {
  @IsInt() amount!: number;
  @IsString() currency!: string;
}

class OrderLine {
  @IsString() sku!: string;
  @ValidateNested() @Type(() => Money) price!: Money;
}

interface MoneyLike {
  amount: number;
  currency: string;
}

const MONEY_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { amount: { type: 'integer' }, currency: { type: 'string' } },
  required: ['amount', 'currency'],
};

describe('@ValidateNested with @Type', () => {
  it('references a nested class by $ref and adds its component', () => {
    class Invoice {
      @ValidateNested() @Type(() => Money) total!: Money;
    }
    expect(componentsOf(Invoice)).toEqual({
      Invoice: {
        type: 'object',
        properties: { total: { $ref: '#/components/schemas/Money' } },
        required: ['total'],
      },
      Money: MONEY_SCHEMA,
    });
  });

  it('maps an array of nested classes to an array of $ref, with the array rules on the array', () => {
    class Order {
      @IsArray() @ValidateNested({ each: true }) @ArrayMinSize(1) @Type(() => OrderLine) lines!: OrderLine[];
    }
    const components = componentsOf(Order);
    expect(Object.keys(components)).toEqual(['Money', 'Order', 'OrderLine']);
    expect(components.Order?.properties).toEqual({
      lines: { type: 'array', items: { $ref: '#/components/schemas/OrderLine' }, minItems: 1 },
    });
    expect(components.OrderLine?.properties?.price).toEqual({ $ref: '#/components/schemas/Money' });
  });

  it('keeps only the constraints of a rule that also states a type next to a $ref', () => {
    class Invoice {
      @ValidateNested() @Type(() => Money) @WebhookProperty({ description: 'Total due' }) total!: Money;
    }
    expect(componentsOf(Invoice).Invoice?.properties).toEqual({
      total: { $ref: '#/components/schemas/Money', description: 'Total due' },
    });
  });
});

describe('a class known from design:type alone', () => {
  class Geo {
    @Expose() lat!: number;
    @Expose() lng!: number;
  }

  it('references a class without validators from a property without @Type', () => {
    class Place {
      @ValidateNested() geo!: Geo;
    }
    expect(componentsOf(Place)).toEqual({
      Geo: {
        type: 'object',
        properties: { lat: { type: 'number' }, lng: { type: 'number' } },
        required: ['lat', 'lng'],
      },
      Place: { type: 'object', properties: { geo: { $ref: '#/components/schemas/Geo' } }, required: ['geo'] },
    });
  });

  it('describes a class with no known properties as a bare object', () => {
    class Marker {}
    class Pin {
      @ValidateNested() marker!: Marker;
    }
    expect(componentsOf(Pin).Marker).toEqual({ type: 'object' });
  });
});

describe('@WebhookProperty types', () => {
  it('maps type: () => [X] to an array of $ref', () => {
    class Cart {
      @WebhookProperty({ type: () => [OrderLine] }) lines!: OrderLine[];
    }
    const components = componentsOf(Cart);
    expect(components.Cart?.properties).toEqual({
      lines: { type: 'array', items: { $ref: '#/components/schemas/OrderLine' } },
    });
    expect(Object.keys(components)).toEqual(['Cart', 'Money', 'OrderLine']);
  });

  it('maps type: () => [String] to an array of strings', () => {
    class Labels {
      @WebhookProperty({ type: () => [String] }) names!: string[];
    }
    expect(componentsOf(Labels).Labels?.properties).toEqual({ names: { type: 'array', items: { type: 'string' } } });
  });

  it('maps type: () => X on an interface-typed property to a $ref', () => {
    class Refund {
      @WebhookProperty({ type: () => Money }) @ValidateNested() amount!: MoneyLike;
    }
    expect(componentsOf(Refund).Refund?.properties).toEqual({ amount: { $ref: '#/components/schemas/Money' } });
  });

  it('uses schema verbatim and still applies the description', () => {
    class Event {
      @WebhookProperty({
        description: 'A count or a label',
        schema: { oneOf: [{ type: 'integer' }, { type: 'string', maxLength: 10 }] },
      })
      value!: number | string;
    }
    expect(componentsOf(Event).Event?.properties).toEqual({
      value: { oneOf: [{ type: 'integer' }, { type: 'string', maxLength: 10 }], description: 'A count or a label' },
    });
  });

  it('lets schema replace what the validators would infer', () => {
    class Event {
      @WebhookProperty({ schema: { type: 'object', additionalProperties: { type: 'number' } } })
      @IsNumber()
      totals!: Record<string, number>;
    }
    expect(componentsOf(Event).Event?.properties).toEqual({
      totals: { type: 'object', additionalProperties: { type: 'number' } },
    });
  });

  it('does not share the schema option object with the output', () => {
    const schema: SchemaObject = { oneOf: [{ type: 'integer' }, { type: 'string' }] };
    class Event {
      @WebhookProperty({ schema }) value!: number | string;
    }
    const output = componentsOf(Event).Event?.properties?.value as SchemaObject;
    output.oneOf?.push({ type: 'null' });
    expect(schema).toEqual({ oneOf: [{ type: 'integer' }, { type: 'string' }] });
  });

  it('uses items for an array whose item type nothing else states', () => {
    class Matrix {
      @WebhookProperty({ items: { type: 'array', items: { type: 'number' } } })
      @IsArray()
      @ArrayMinSize(1)
      rows!: number[][];
    }
    expect(componentsOf(Matrix).Matrix?.properties).toEqual({
      rows: { type: 'array', items: { type: 'array', items: { type: 'number' } }, minItems: 1 },
    });
  });

  it('allows any item with items: {}', () => {
    class Bag {
      @WebhookProperty({ items: {} }) things!: unknown[];
    }
    expect(componentsOf(Bag).Bag?.properties).toEqual({ things: { type: 'array', items: {} } });
  });
});
