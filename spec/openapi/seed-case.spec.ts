import { Type } from 'class-transformer';
import { IsDate, IsNumber, IsString } from 'class-validator';
import { buildOpenApi, Webhook } from 'hookspec';
import { describe, expect, it } from 'vitest';

@Webhook('new-subscription', { summary: 'New subscription', description: 'Sent when a user subscribes.' })
class Subscription {
  @IsString() username!: string;
  @IsNumber() monthly_fee!: number;
  @Type(() => Date) @IsDate() start_date!: Date;
}

describe('the seed case', () => {
  const document = buildOpenApi({ webhooks: [Subscription], info: { title: 'Billing API', version: '1.0.0' } });

  it('references the Subscription schema from a required JSON body', () => {
    const requestBody = document.webhooks?.['new-subscription']?.post?.requestBody;
    expect(requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Subscription' } } },
    });
  });

  it('describes Subscription as an object with string, number and date-time properties, all required', () => {
    expect(document.components?.schemas?.Subscription).toEqual({
      type: 'object',
      properties: {
        username: { type: 'string' },
        monthly_fee: { type: 'number' },
        start_date: { type: 'string', format: 'date-time' },
      },
      required: ['username', 'monthly_fee', 'start_date'],
    });
  });

  it('is OpenAPI 3.1 with the given info and nothing empty', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toEqual({ title: 'Billing API', version: '1.0.0' });
    expect(Object.keys(document)).toEqual(['openapi', 'info', 'webhooks', 'components']);
    expect(Object.keys(document.components ?? {})).toEqual(['schemas']);
  });
});
