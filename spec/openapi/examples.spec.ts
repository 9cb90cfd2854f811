import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Type } from 'class-transformer';
import { IsDate, IsString, ValidateNested } from 'class-validator';
import { buildOpenApi, OpenApiDocumentError, Webhook } from 'hookspec';
import type { OpenAPIObject, SchemaObject } from 'openapi3-ts/oas31';
import { describe, expect, it } from 'vitest';

class Address {
  @IsString() street!: string;
}

class UserUpdated {
  @IsString() name!: string;
  @Type(() => Date) @IsDate() updated_at!: Date;
  @ValidateNested() @Type(() => Address) address!: Address;
}

const row = Object.assign(new UserUpdated(), {
  name: 'Ada',
  updated_at: new Date('2026-03-01T10:00:00.000Z'),
  password_hash: '$2b$12$secret',
  address: Object.assign(new Address(), { street: 'Main St 1', gps_secret: '52.1,4.3' }),
});
Webhook('user.updated', { examples: { row: { summary: 'Built from a database row', value: row } } })(UserUpdated);

/** The example of `user.updated` and the schema it must satisfy, in a document built with `envelope`. */
function documented(envelope: 'none' | 'standard'): { value: unknown; doc: OpenAPIObject } {
  const doc = buildOpenApi({ webhooks: [UserUpdated], envelope });
  const content = doc.webhooks?.['user.updated']?.post?.requestBody;
  const media = (content as { content: Record<string, { examples?: Record<string, { value: unknown }> }> }).content[
    'application/json'
  ];
  return { value: media?.examples?.row?.value, doc };
}

function validator(doc: OpenAPIObject) {
  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv);
  const components = doc.components?.schemas ?? {};
  const post = doc.webhooks?.['user.updated']?.post;
  const schema = (post?.requestBody as { content: Record<string, { schema: SchemaObject }> }).content[
    'application/json'
  ]?.schema;
  return ajv.compile({ ...schema, components: { schemas: components } } as object);
}

describe('documented examples are the bodies the client would send', () => {
  it('leave out what the class does not declare, at every depth, and write dates as ISO strings', () => {
    const { value } = documented('none');

    expect(value).toEqual({
      name: 'Ada',
      updated_at: '2026-03-01T10:00:00.000Z',
      address: { street: 'Main St 1' },
    });
  });

  it('are wrapped in the envelope when the document describes enveloped bodies, and validate against it', () => {
    const { value, doc } = documented('standard');

    expect(value).toEqual({
      type: 'user.updated',
      timestamp: '2026-01-01T00:00:00.000Z',
      data: { name: 'Ada', updated_at: '2026-03-01T10:00:00.000Z', address: { street: 'Main St 1' } },
    });
    const validate = validator(doc);
    expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  });

  it('refuse an example that JSON cannot carry, naming the webhook, the example and the path', () => {
    const home = new Address();
    class WithBigInt {
      @ValidateNested() @Type(() => Address) home!: Address;
    }
    const value = Object.assign(new WithBigInt(), { home });
    (home as unknown as { street: unknown }).street = BigInt(1);
    Webhook('with-bigint', { examples: { bad: { value } } })(WithBigInt);

    const error = (() => {
      try {
        buildOpenApi({ webhooks: [WithBigInt] });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(OpenApiDocumentError);
    expect((error as OpenApiDocumentError).code).toBe('invalid-example');
    expect((error as Error).message).toContain("@Webhook('with-bigint') example 'bad' cannot be sent: home.street");
  });
});
