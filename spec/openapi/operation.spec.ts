import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, IsString, ValidateNested } from 'class-validator';
import { buildOpenApi, OpenApiDocumentError, Payload, Webhook } from 'hookspec';
import { describe, expect, it } from 'vitest';

class PaymentSuccess {
  @IsString() order_id!: string;
  @IsInt() payment_amount!: number;
  @Type(() => Date) @IsDate() payment_time!: Date;
}

class Billing {
  @Webhook('payment-success', {
    summary: 'Payment succeeded',
    description: 'Sent after the card is charged.',
    tags: ['billing'],
    deprecated: true,
    externalDocs: { url: 'https://docs.example.com/payments', description: 'Payments' },
    examples: {
      paid: {
        summary: 'A paid order',
        value: Object.assign(new PaymentSuccess(), {
          order_id: 'o-1',
          payment_amount: 4200,
          payment_time: new Date('2026-01-02T03:04:05.000Z'),
        }),
      },
    },
  })
  @Payload(PaymentSuccess)
  paymentSuccess(): void {}
}

@Webhook('stock.changed')
class StockChanged {
  @IsString() sku!: string;
}

const post = (name: string, webhooks: Function[] = [Billing, StockChanged]) =>
  buildOpenApi({ webhooks }).webhooks?.[name]?.post;

describe('a webhook operation', () => {
  it('carries the options of @Webhook', () => {
    expect(post('payment-success')).toMatchObject({
      operationId: 'paymentSuccess',
      summary: 'Payment succeeded',
      description: 'Sent after the card is charged.',
      tags: ['billing'],
      deprecated: true,
      externalDocs: { url: 'https://docs.example.com/payments', description: 'Payments' },
    });
  });

  it('serialises an example instance as it would be sent, dates as ISO strings', () => {
    expect(post('payment-success')?.requestBody).toEqual({
      required: true,
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/PaymentSuccess' },
          examples: {
            paid: {
              summary: 'A paid order',
              value: { order_id: 'o-1', payment_amount: 4200, payment_time: '2026-01-02T03:04:05.000Z' },
            },
          },
        },
      },
    });
  });

  it('derives the operationId from the method name, or from the name in camelCase', () => {
    expect(post('payment-success')?.operationId).toBe('paymentSuccess');
    expect(post('stock.changed')?.operationId).toBe('stockChanged');
  });

  it('leaves out what was not declared', () => {
    expect(Object.keys(post('stock.changed') ?? {})).toEqual(['operationId', 'parameters', 'requestBody', 'responses']);
  });

  it('requires the three Standard Webhooks headers, each described', () => {
    const parameters = post('stock.changed')?.parameters as {
      name: string;
      in: string;
      required: boolean;
      description: string;
    }[];
    expect(parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['webhook-id', 'header', true],
      ['webhook-timestamp', 'header', true],
      ['webhook-signature', 'header', true],
    ]);
    for (const parameter of parameters) expect(parameter.description.length).toBeGreaterThan(40);
    expect(parameters[2]?.description).toMatch(/v1,<base64 HMAC-SHA256>.*v1a,<base64 ed25519>/);
  });

  it('states the delivery contract in its responses', () => {
    const responses = post('stock.changed')?.responses as Record<string, { description: string; headers?: object }>;
    expect(Object.keys(responses ?? {}).sort()).toEqual(['2XX', '410', 'default']);
    expect(responses['2XX']?.description).toMatch(/^Accepted/);
    expect(responses['410']?.description).toMatch(/disabled/);
    expect(responses.default?.description).toMatch(/retried.*Retry-After/s);
    expect(responses.default?.headers).toHaveProperty('Retry-After');
  });
});

describe('the document', () => {
  it('is the same bytes whatever the order of the classes', () => {
    const a = JSON.stringify(buildOpenApi({ webhooks: [Billing, StockChanged] }));
    const b = JSON.stringify(buildOpenApi({ webhooks: [StockChanged, Billing] }));
    expect(a).toBe(b);
    expect(Object.keys(JSON.parse(a).webhooks)).toEqual(['payment-success', 'stock.changed']);
  });

  it('lists a class given twice once', () => {
    expect(Object.keys(buildOpenApi({ webhooks: [StockChanged, StockChanged] }).webhooks ?? {})).toEqual([
      'stock.changed',
    ]);
  });

  it('defaults info, and takes servers and tags', () => {
    const document = buildOpenApi({
      webhooks: [StockChanged],
      servers: [{ url: 'https://api.example.com' }],
      tags: [{ name: 'inventory', description: 'Stock events' }],
    });
    expect(document.info).toEqual({ title: 'Webhooks', version: '1.0.0' });
    expect(document.servers).toEqual([{ url: 'https://api.example.com' }]);
    expect(document.tags).toEqual([{ name: 'inventory', description: 'Stock events' }]);
  });

  it('refuses two webhooks with one name, naming both declarations', () => {
    @Webhook('stock.changed')
    class OtherStock {
      @IsString() sku!: string;
    }
    expect(() => buildOpenApi({ webhooks: [StockChanged, OtherStock] })).toThrow(
      expect.objectContaining({
        name: 'WebhookDefinitionError',
        code: 'duplicate-webhook-name',
        message:
          "two webhooks are named 'stock.changed': StockChanged and OtherStock. A name identifies a webhook in the document and in the client; rename one of them.",
      }),
    );
  });

  it('refuses two webhooks with one operationId', () => {
    @Webhook('stock-changed-v2', { operationId: 'stockChanged' })
    class StockV2 {
      @IsString() sku!: string;
    }
    expect(() => buildOpenApi({ webhooks: [StockChanged, StockV2] })).toThrow(
      /operationId 'stockChanged' of webhook 'stock.changed' .* is already used by webhook 'stock-changed-v2'/,
    );
  });

  it('refuses an empty list and a value that is not a class', () => {
    expect(() => buildOpenApi({ webhooks: [] })).toThrow(OpenApiDocumentError);
    expect(() => buildOpenApi({ webhooks: [undefined as never] })).toThrow(
      /webhooks\[0\] is undefined \(a circular import\?\)/,
    );
  });

  it('refuses a class that declares no webhook', () => {
    class NotAWebhook {
      @IsString() id!: string;
    }
    expect(() => buildOpenApi({ webhooks: [NotAWebhook] })).toThrow(/class NotAWebhook carries no @Webhook metadata/);
  });

  it('prefixes schema errors with the webhook and the path to the property', () => {
    class Inner {
      @IsString() ok!: string;
      @IsOptional() loose?: string | number;
    }
    @Webhook('broken')
    class Broken {
      @ValidateNested() @Type(() => Inner) inner!: Inner;
    }
    expect(() => buildOpenApi({ webhooks: [Broken] })).toThrow(
      expect.objectContaining({
        name: 'SchemaGenerationError',
        code: 'uninferable-type',
        path: ["webhook 'broken'", 'Broken', 'inner', 'Inner', 'loose'],
        message: expect.stringMatching(
          /^\[webhook 'broken'\] \[Broken\] \[inner\] \[Inner\] \[loose\] cannot infer the type of Inner\.loose: .*@WebhookProperty\(\{ type/,
        ),
      }),
    );
  });
});
