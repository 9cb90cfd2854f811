import { Body, Controller, Post } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { ApiCreatedResponse, ApiProperty, ApiPropertyOptional, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Type } from 'class-transformer';
import { IsDate, IsEnum, IsNumber, IsOptional, IsString, Min } from 'class-validator';
import { OpenApiDocumentError, Webhook } from 'hookspec';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWebhooksToDocument } from '../../../lib/frameworks/nestjs';
import { startNestApp, type RunningApp } from './nest-app';

enum Currency {
  EUR = 'EUR',
  USD = 'USD',
}

/** A DTO that is a route's body and response, and a webhook's payload. */
@Webhook('payment-success', { summary: 'Payment succeeded' })
class PaymentSuccess {
  @ApiProperty({ description: 'The paid order.', example: 'ord_1' }) @IsString() order_id!: string;
  @ApiProperty({ example: 19.9 }) @IsNumber() @Min(0) payment_amount!: number;
  @ApiProperty({ enum: Currency }) @IsEnum(Currency) currency!: Currency;
  @ApiProperty() @Type(() => Date) @IsDate() payment_time!: Date;
  @ApiProperty({ description: 'Who paid.' }) @IsString() user_id!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() note?: string | null;
}

/** Described the same by @nestjs/swagger and by hookspec: the document's entry is kept as it is. */
@Webhook('note-added')
class NoteAdded {
  @ApiProperty({ description: 'The text.' }) @IsString() text!: string;
  @ApiProperty() @IsNumber() stars!: number;
}

@Controller('payments')
class PaymentsController {
  @Post()
  @ApiCreatedResponse({ type: PaymentSuccess })
  create(@Body() payment: PaymentSuccess): PaymentSuccess {
    return payment;
  }

  @Post('notes')
  note(@Body() note: NoteAdded): NoteAdded {
    return note;
  }
}

let server: RunningApp;
beforeAll(async () => {
  server = await startNestApp({ controllers: [PaymentsController] }, {});
});
afterAll(() => server.close());

function nestDocument(app: INestApplication, version?: string): OpenAPIObject {
  const config = new DocumentBuilder().setTitle('Shop').setVersion('1.0.0');
  if (version) config.setOpenAPIVersion(version);
  return SwaggerModule.createDocument(app, config.build()) as unknown as OpenAPIObject;
}

async function expectValid31(document: unknown): Promise<void> {
  const validator = new Validator();
  const result = await validator.validate(JSON.parse(JSON.stringify(document)));
  expect(result.errors).toBeUndefined();
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
}

describe('addWebhooksToDocument with a 3.1 document from SwaggerModule.createDocument', () => {
  it('keeps one components.schemas entry for a DTO that is a route body and a webhook payload', async () => {
    const nest = nestDocument(server.app, '3.1.0');
    const merged = addWebhooksToDocument(nest, [PaymentSuccess]);

    const bodyRef = (merged.paths?.['/payments']?.post?.requestBody as { content: Record<string, { schema: unknown }> })
      .content['application/json']?.schema;
    const webhookBody = merged.webhooks?.['payment-success']?.post?.requestBody as {
      content: Record<string, { schema: unknown }>;
    };
    expect(bodyRef).toEqual({ $ref: '#/components/schemas/PaymentSuccess' });
    expect(webhookBody.content['application/json']?.schema).toEqual(bodyRef);
    expect(Object.keys(merged.components?.schemas ?? {}).filter((name) => name.includes('Payment'))).toEqual([
      'PaymentSuccess',
    ]);
    await expectValid31(merged);
  });

  it('describes the DTO with @ApiProperty’s descriptions, examples, enums and required flags, and class-validator’s rules', () => {
    const merged = addWebhooksToDocument(nestDocument(server.app, '3.1.0'), [PaymentSuccess]);
    expect(merged.components?.schemas?.PaymentSuccess).toEqual({
      type: 'object',
      properties: {
        order_id: { type: 'string', description: 'The paid order.', examples: ['ord_1'] },
        payment_amount: { type: 'number', minimum: 0, examples: [19.9] },
        currency: { type: 'string', enum: ['EUR', 'USD'] },
        payment_time: { type: 'string', format: 'date-time' },
        user_id: { type: 'string', description: 'Who paid.' },
        note: { type: ['string', 'null'] },
      },
      required: ['order_id', 'payment_amount', 'currency', 'payment_time', 'user_id'],
    });
  });

  it('leaves the entry as @nestjs/swagger wrote it when hookspec describes the DTO identically', async () => {
    const nest = nestDocument(server.app, '3.1.0');
    const merged = addWebhooksToDocument(nest, [NoteAdded]);
    expect(merged.components?.schemas?.NoteAdded).toEqual(nest.components?.schemas?.NoteAdded);
    expect(merged.paths).toEqual(nest.paths);
    await expectValid31(merged);
  });

  it('does not modify the document it is given', () => {
    const nest = nestDocument(server.app, '3.1.0');
    const copy = structuredClone(nest);
    addWebhooksToDocument(nest, [PaymentSuccess]);
    expect(nest).toEqual(copy);
  });

  it('refuses a schema of the same name that describes another class, naming the property', () => {
    const nest = nestDocument(server.app, '3.1.0');
    nest.components!.schemas!.PaymentSuccess = { type: 'object', properties: { refund_id: { type: 'string' } } };
    expect(() => addWebhooksToDocument(nest, [PaymentSuccess])).toThrow(
      expect.objectContaining({ code: 'schema-name-clash', message: expect.stringContaining("'refund_id'") }),
    );
  });
});

describe('addWebhooksToDocument with the 3.0 document SwaggerModule.createDocument emits by default', () => {
  it('emits 3.0.0 by default', () => {
    expect(nestDocument(server.app).openapi).toBe('3.0.0');
  });

  it('refuses it with openapi-30-document and says how to get 3.1', () => {
    const attempt = () => addWebhooksToDocument(nestDocument(server.app), [PaymentSuccess]);
    expect(attempt).toThrow(OpenApiDocumentError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'openapi-30-document' }));
    expect(attempt).toThrow(/setOpenAPIVersion\('3\.1\.0'\).*upgradeTo31: true/);
  });

  it('upgrades the whole document with upgradeTo31, into a valid 3.1 document with one entry per DTO', async () => {
    const nest = nestDocument(server.app);
    expect(JSON.stringify(nest)).toContain('"nullable":true');
    const merged = addWebhooksToDocument(nest, [PaymentSuccess, NoteAdded], { upgradeTo31: true });

    expect(merged.openapi).toBe('3.1.0');
    expect(JSON.stringify(merged)).not.toMatch(/"nullable"/);
    expect(JSON.stringify(merged.components)).not.toMatch(/"example"/);
    expect(merged.components?.schemas?.NoteAdded).toEqual({
      type: 'object',
      properties: { text: { type: 'string', description: 'The text.' }, stars: { type: 'number' } },
      required: ['text', 'stars'],
    });
    expect(Object.keys(merged.webhooks ?? {})).toEqual(['note-added', 'payment-success']);
    await expectValid31(merged);
  });
});

describe('addWebhooksToDocument options', () => {
  it('refuses an unknown option with a did-you-mean, before reading the document', () => {
    const attempt = () =>
      addWebhooksToDocument(nestDocument(server.app), [PaymentSuccess], { upgradeTo3_1: true } as never);
    expect(attempt).toThrow(OpenApiDocumentError);
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'unknown-option',
        message:
          "addWebhooksToDocument(document, classes, options): unknown option 'upgradeTo3_1' (did you mean " +
          "'upgradeTo31'?). Known options: info, servers, tags, envelope, converters, upgradeTo31.",
      }),
    );
  });

  it('refuses the webhooks given as an option instead of as the classes argument', () => {
    const attempt = () =>
      addWebhooksToDocument(nestDocument(server.app, '3.1.0'), [PaymentSuccess], { webhooks: [NoteAdded] } as never);
    expect(attempt).toThrow(expect.objectContaining({ code: 'unknown-option' }));
  });

  it('refuses an upgradeTo31 that is not a boolean', () => {
    const attempt = () =>
      addWebhooksToDocument(nestDocument(server.app), [PaymentSuccess], { upgradeTo31: 'yes' as never });
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message: "addWebhooksToDocument(document, classes, options): upgradeTo31 must be true or false, got 'yes'.",
      }),
    );
  });
});

describe('the merged document served by SwaggerModule.setup', () => {
  let docs: RunningApp;
  beforeAll(async () => {
    docs = await startNestApp({ controllers: [PaymentsController] }, {}, (app) => {
      const document = addWebhooksToDocument(nestDocument(app, '3.1.0'), [PaymentSuccess, NoteAdded]);
      SwaggerModule.setup('docs', app, document as never);
    });
  });
  afterAll(() => docs.close());

  it('serves the webhooks in the JSON document, valid OpenAPI 3.1', async () => {
    const response = await fetch(`${docs.url}/docs-json`);
    expect(response.status).toBe(200);
    const served = (await response.json()) as OpenAPIObject;
    expect(Object.keys(served.webhooks ?? {})).toEqual(['note-added', 'payment-success']);
    expect(Object.keys(served.paths?.['/payments'] ?? {})).toEqual(['post']);
    await expectValid31(served);
  });

  it('serves swagger-ui (swagger-ui-dist 5, which renders 3.1 webhooks) initialised with that document', async () => {
    const page = await fetch(`${docs.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
    const init = await (await fetch(`${docs.url}/docs/swagger-ui-init.js`)).text();
    expect(init).toContain('"webhooks"');
    expect(init).toContain('"payment-success"');
    const bundle = await fetch(`${docs.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(await bundle.text()).toMatch(/webhooks/);
  });
});
