import { IsString } from 'class-validator';
import { Payload, Webhook, WebhookDefinitionError } from 'hookspec';
import { resolveWebhookDefinitions } from '../../lib/metadata';
import { describe, expect, it } from 'vitest';

class PaymentSuccess {
  @IsString() order_id!: string;
}

describe('@Payload', () => {
  it('names the payload class of a method-style webhook', () => {
    class Billing {
      @Webhook('payment-success', { summary: 'Paid' })
      @Payload(PaymentSuccess)
      paymentSuccess(): void {}
    }
    expect(resolveWebhookDefinitions(Billing)).toEqual([
      {
        name: 'payment-success',
        options: { summary: 'Paid' },
        payload: PaymentSuccess,
        target: Billing,
        methodName: 'paymentSuccess',
        declaredAt: 'Billing.paymentSuccess',
      },
    ]);
  });

  it('works above or below @Webhook', () => {
    class Billing {
      @Payload(PaymentSuccess)
      @Webhook('payment-success')
      paymentSuccess(): void {}
    }
    expect(resolveWebhookDefinitions(Billing)[0]?.payload).toBe(PaymentSuccess);
  });

  it('takes a thunk for a class declared later in the file', () => {
    class Catalog {
      @Webhook('refund') @Payload(() => Refund) refund(): void {}
    }
    class Refund {
      @IsString() id!: string;
    }
    expect(resolveWebhookDefinitions(Catalog)[0]?.payload).toBe(Refund);
  });

  it('on a parameter without an argument reads the parameter type from design:paramtypes', () => {
    class Catalog {
      @Webhook('payment-success') paymentSuccess(@Payload() _event: PaymentSuccess): void {}
    }
    expect(resolveWebhookDefinitions(Catalog)[0]?.payload).toBe(PaymentSuccess);
  });

  it('on a parameter with an argument uses the argument', () => {
    class Catalog {
      @Webhook('payment-success') paymentSuccess(@Payload(PaymentSuccess) _event: unknown): void {}
    }
    expect(resolveWebhookDefinitions(Catalog)[0]?.payload).toBe(PaymentSuccess);
  });

  it('refuses a parameter typed with an interface, and says how to fix it', () => {
    interface Shape {
      id: string;
    }
    class Catalog {
      @Webhook('shaped') shaped(@Payload() _event: Shape): void {}
    }
    expect(() => resolveWebhookDefinitions(Catalog)).toThrow(
      expect.objectContaining({
        code: 'invalid-payload',
        message: expect.stringMatching(
          /Catalog\.shaped: @Payload\(\) on parameter 0 resolved to class Object.*Type the parameter with a class/,
        ),
      }),
    );
  });

  it('refuses a method decorator without a type', () => {
    expect(() => {
      class Catalog {
        @Webhook('untyped') @Payload() untyped(): void {}
      }
      return Catalog;
    }).toThrow(/on a method, @Payload needs the class: @Payload\(PayloadClass\)/);
  });

  it('refuses a value that is not a class or thunk', () => {
    expect(() => {
      class Catalog {
        @Webhook('bad') @Payload('PaymentSuccess' as never) bad(): void {}
      }
      return Catalog;
    }).toThrow(WebhookDefinitionError);
  });

  it('refuses a thunk that returns a primitive constructor', () => {
    class Catalog {
      @Webhook('text') @Payload(() => String) text(): void {}
    }
    expect(() => resolveWebhookDefinitions(Catalog)).toThrow(/resolved to class String, not a payload class/);
  });

  it('refuses two payloads on one webhook', () => {
    class Catalog {
      @Webhook('twice') @Payload(PaymentSuccess) twice(@Payload() _event: PaymentSuccess): void {}
    }
    expect(() => resolveWebhookDefinitions(Catalog)).toThrow(/Catalog\.twice declares 2 payloads .*Keep one @Payload/);
  });

  it('reports a webhook method without a payload when the document is built', () => {
    class Catalog {
      @Webhook('orphan') orphan(): void {}
    }
    expect(() => resolveWebhookDefinitions(Catalog)).toThrow(
      expect.objectContaining({
        code: 'missing-payload',
        message: expect.stringContaining(
          "Catalog.orphan is declared @Webhook('orphan') but has no payload. Add @Payload(PayloadClass)",
        ),
      }),
    );
  });
});

describe('@Payload without @Webhook', () => {
  it('is reported when the catalog is used, instead of being silently ignored', () => {
    class Catalog {
      @Webhook('kept') @Payload(PaymentSuccess) kept(): void {}
      @Payload(PaymentSuccess) forgotten(): void {}
    }
    expect(() => resolveWebhookDefinitions(Catalog)).toThrow(
      expect.objectContaining({
        code: 'payload-without-webhook',
        message:
          "Catalog.forgotten has @Payload(PaymentSuccess) but no @Webhook, so it declares nothing. Add @Webhook('name') to the method, or remove @Payload.",
      }),
    );
  });
});
