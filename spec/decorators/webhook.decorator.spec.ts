import { IsString } from 'class-validator';
import { Webhook, WebhookDefinitionError } from 'hookspec';
import { resolveWebhookDefinitions } from '../../lib/metadata';
import { describe, expect, it } from 'vitest';

describe('@Webhook', () => {
  it('on a class records the class as its own payload with every option', () => {
    @Webhook('user.created', {
      summary: 'User created',
      description: 'Sent once per new user.',
      tags: ['users'],
      operationId: 'onUserCreated',
      deprecated: true,
      externalDocs: { url: 'https://docs.example.com/users' },
      examples: { basic: { summary: 'A user', value: { id: 'u1' } } },
    })
    class UserCreated {
      @IsString() id!: string;
    }

    const [definition] = resolveWebhookDefinitions(UserCreated);
    expect(definition).toMatchObject({
      name: 'user.created',
      payload: UserCreated,
      target: UserCreated,
      declaredAt: 'UserCreated',
      options: {
        summary: 'User created',
        tags: ['users'],
        operationId: 'onUserCreated',
        deprecated: true,
        examples: { basic: { summary: 'A user', value: { id: 'u1' } } },
      },
    });
    expect(definition?.methodName).toBeUndefined();
  });

  it('accepts letters, digits, dots, underscores and dashes in names', () => {
    for (const name of ['new-subscription', 'payment.succeeded', 'stock_changed', 'V2', 'a']) {
      expect(() => Webhook(name)(class Valid {})).not.toThrow();
    }
  });

  it.each(['', 'has space', 'slash/name', 'ünïcode', 'colon:name', 'new-subscription\n'])(
    'refuses the name %j, naming the class and the pattern',
    (name) => {
      class Named {}
      expect(() => Webhook(name)(Named)).toThrow(WebhookDefinitionError);
      expect(() => Webhook(name)(Named)).toThrow(
        /@Webhook\(.*\) on Named: webhook name .* is invalid.*\^\[a-zA-Z0-9\._-\]\+\$/s,
      );
    },
  );

  it('refuses a non-string name', () => {
    expect(() => Webhook(42 as unknown as string)(class Numbered {})).toThrow(/webhook name 42 is invalid/);
  });

  it('refuses an unknown option with a did-you-mean, so a typo fails instead of vanishing', () => {
    const options = { summery: 'typo' } as unknown as Parameters<typeof Webhook>[1];
    expect(() => Webhook('typo', options)(class Typo {})).toThrow(
      expect.objectContaining({
        name: 'WebhookDefinitionError',
        code: 'unknown-option',
        message: expect.stringMatching(
          /^@Webhook\("typo"\) on Typo: unknown option 'summery' \(did you mean 'summary'\?\)\. Known options: summary/,
        ),
      }),
    );
  });

  it('refuses options that are not an object, with an example', () => {
    expect(() => Webhook('bad', 'summary' as never)(class Bad {})).toThrow(
      expect.objectContaining({
        name: 'WebhookDefinitionError',
        code: 'invalid-option',
        message: `@Webhook("bad") on Bad needs an options object, e.g. { summary: 'New subscription' }; got 'summary'.`,
      }),
    );
  });

  it('refuses two webhooks with one name on the same class', () => {
    expect(() => {
      class Catalog {
        @Webhook('same') first(): void {}
        @Webhook('same') second(): void {}
      }
      return Catalog;
    }).toThrow(/Catalog already declares a webhook named 'same' on Catalog\.first/);
  });

  it('refuses a static method', () => {
    expect(() => {
      class Catalog {
        @Webhook('static-one') static event(): void {}
      }
      return Catalog;
    }).toThrow(/cannot decorate a static method/);
  });

  it('records several method-style webhooks in declaration order', () => {
    class Catalog {
      @Webhook('b-second') second(): void {}
      @Webhook('a-first') first(): void {}
    }
    expect(() => resolveWebhookDefinitions(Catalog)).toThrow(
      /Catalog.second is declared @Webhook\('b-second'\) but has no payload/,
    );
  });

  it('explains that an undecorated class is not a webhook', () => {
    class Plain {}
    expect(() => resolveWebhookDefinitions(Plain)).toThrow(
      expect.objectContaining({
        code: 'not-a-webhook',
        message: expect.stringContaining('class Plain carries no @Webhook metadata'),
      }),
    );
  });

  it('does not let a subclass inherit its parent’s webhook', () => {
    @Webhook('parent-event')
    class ParentEvent {
      @IsString() id!: string;
    }
    class ChildEvent extends ParentEvent {}
    expect(resolveWebhookDefinitions(ParentEvent)).toHaveLength(1);
    expect(() => resolveWebhookDefinitions(ChildEvent)).toThrow(/carries no @Webhook metadata/);
  });
});
