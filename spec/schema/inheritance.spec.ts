import { Expose, Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { WebhookProperty } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { componentsOf } from '../support/schema-of';

class BaseEvent {
  @IsString() id!: string;
  @Type(() => Date) @IsDate() occurredAt!: Date;
}

class PaymentEvent extends BaseEvent {
  @IsInt() @Min(1) amount!: number;
}

describe('inherited properties', () => {
  it("gives a child its parent's properties, the parent's first", () => {
    expect(componentsOf(PaymentEvent).PaymentEvent).toEqual({
      type: 'object',
      properties: {
        id: { type: 'string' },
        occurredAt: { type: 'string', format: 'date-time' },
        amount: { type: 'integer', minimum: 1 },
      },
      required: ['id', 'occurredAt', 'amount'],
    });
  });

  it('collects properties through several generations', () => {
    class RefundEvent extends PaymentEvent {
      @IsString() reason!: string;
    }
    expect(Object.keys(componentsOf(RefundEvent).RefundEvent?.properties ?? {})).toEqual([
      'id',
      'occurredAt',
      'amount',
      'reason',
    ]);
  });

  it('lets a child that redeclares a property with other validators win, in the place the parent gave it', () => {
    class LooseEvent {
      @IsString() id!: string | number;
      @Type(() => Date) @IsDate() occurredAt!: Date;
    }
    class NumberedEvent extends LooseEvent {
      @IsInt() @Min(1) override id!: number;
      @IsString() source!: string;
    }
    const components = componentsOf(NumberedEvent, LooseEvent);
    expect(components.NumberedEvent?.properties).toEqual({
      id: { type: 'integer', minimum: 1 },
      occurredAt: { type: 'string', format: 'date-time' },
      source: { type: 'string' },
    });
    expect(Object.keys(components.NumberedEvent?.properties ?? {})).toEqual(['id', 'occurredAt', 'source']);
    expect(components.LooseEvent?.properties?.id).toEqual({ type: 'string' });
  });

  it('keeps the rename of an inherited @Expose({ name })', () => {
    class Renamed {
      @Expose({ name: 'created_by' }) @IsString() createdBy!: string;
    }
    class RenamedChild extends Renamed {
      @IsString() note!: string;
    }
    expect(componentsOf(RenamedChild).RenamedChild?.required).toEqual(['created_by', 'note']);
  });

  it('keeps an inherited @IsOptional when the child only adds rules of its own', () => {
    // class-validator drops an inherited rule only when the child has one of the same kind on the property.
    class Parent {
      @IsOptional() @IsString() note?: string;
    }
    class Child extends Parent {
      @IsString() override note?: string;
    }
    expect(componentsOf(Child).Child).toEqual({ type: 'object', properties: { note: { type: ['string', 'null'] } } });
  });
});

describe('inherited @WebhookProperty options', () => {
  it('merges options child-over-parent', () => {
    class Parent {
      @WebhookProperty({ description: 'The parent says', example: 'abc', deprecated: true })
      @IsString()
      code!: string;
    }
    class Child extends Parent {
      @WebhookProperty({ description: 'The child says', title: 'Code' }) override code!: string;
    }
    expect(componentsOf(Child).Child?.properties).toEqual({
      code: { type: 'string', title: 'Code', description: 'The child says', examples: ['abc'], deprecated: true },
    });
    expect(componentsOf(Parent).Parent?.properties).toEqual({
      code: { type: 'string', description: 'The parent says', examples: ['abc'], deprecated: true },
    });
  });
});

describe('components of parents', () => {
  it('does not add a component for a parent that nothing references', () => {
    expect(Object.keys(componentsOf(PaymentEvent))).toEqual(['PaymentEvent']);
  });

  it('adds a component for a parent that a property references, without the child properties', () => {
    class Envelope {
      @ValidateNested() @Type(() => BaseEvent) previous!: BaseEvent;
    }
    const components = componentsOf(PaymentEvent, Envelope);
    expect(Object.keys(components)).toEqual(['BaseEvent', 'Envelope', 'PaymentEvent']);
    expect(Object.keys(components.BaseEvent?.properties ?? {})).toEqual(['id', 'occurredAt']);
  });
});
