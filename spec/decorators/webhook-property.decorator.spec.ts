import { WebhookDefinitionError, WebhookProperty } from 'hookspec';
import { describe, expect, it } from 'vitest';

describe('@WebhookProperty', () => {
  it('refuses an unknown option with a did-you-mean and lists the known ones', () => {
    expect(() => {
      class Typo {
        @WebhookProperty({ descripton: 'typo' } as never) name!: string;
      }
      return Typo;
    }).toThrow(
      expect.objectContaining({
        name: 'WebhookDefinitionError',
        code: 'unknown-option',
        message: expect.stringMatching(
          /^@WebhookProperty on Typo\.name: unknown option 'descripton' \(did you mean 'description'\?\)\. Known options: description/,
        ),
      }),
    );
  });

  it('refuses options that are not an object', () => {
    expect(() => {
      class Nulled {
        @WebhookProperty(null as never) name!: string;
      }
      return Nulled;
    }).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message: `@WebhookProperty on Nulled.name needs an options object, e.g. { description: 'Display name' }; got null.`,
      }),
    );
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
