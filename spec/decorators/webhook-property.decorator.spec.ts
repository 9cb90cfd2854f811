import { WebhookDefinitionError, WebhookProperty } from 'hookspec';
import { describe, expect, it } from 'vitest';

describe('@WebhookProperty', () => {
  it('refuses an unknown option and lists the known ones', () => {
    expect(() => {
      class Typo {
        @WebhookProperty({ descripton: 'typo' } as never) name!: string;
      }
      return Typo;
    }).toThrow(/@WebhookProperty on Typo\.name: unknown option 'descripton'\. Known options: description/);
  });

  it('refuses a type that is a class instead of an arrow function', () => {
    class Address {}
    expect(() => {
      class Order {
        @WebhookProperty({ type: Address as never }) address!: Address;
      }
      return Order;
    }).toThrow(/'type' must be an arrow function returning the type, e.g\. type: \(\) => Address/);
  });

  it('refuses examples that are not an array', () => {
    expect(() => {
      class Order {
        @WebhookProperty({ examples: 'one' as never }) id!: string;
      }
      return Order;
    }).toThrow(WebhookDefinitionError);
  });

  it('refuses a static property', () => {
    expect(() => {
      class Order {
        @WebhookProperty({ description: 'static' }) static id: string;
      }
      return Order;
    }).toThrow(/goes on an instance property/);
  });
});
