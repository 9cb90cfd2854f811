import { Validator } from '@seriousme/openapi-schema-validator';
import { OpenApiDocumentError, upgradeToOpenApi31 } from 'hookspec';
import { describe, expect, it } from 'vitest';

/** A 3.0 document with each construct that 3.1 says differently, in each place a schema can be. */
const document30 = () => ({
  openapi: '3.0.3',
  info: { title: 'Shop', version: '1.0.0' },
  paths: {
    '/orders/{id}': {
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string', example: 'o-1' }, example: 'o-1' },
      ],
      post: {
        requestBody: {
          content: {
            'application/json': {
              schema: { type: 'object', properties: { note: { type: 'string', nullable: true } } },
              example: { note: null },
            },
          },
        },
        responses: {
          default: {
            description: 'An error',
            headers: { 'x-rate': { schema: { type: 'integer', nullable: false } } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      Order: {
        type: 'object',
        properties: {
          total: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: false },
          status: { type: 'string', enum: ['open', 'paid'], nullable: true, example: 'open' },
          customer: { $ref: '#/components/schemas/Customer', nullable: true, description: 'Who ordered.' },
          lines: { type: 'array', items: { type: 'string', nullable: true } },
          schema: { type: 'string', example: 'a property named schema' },
        },
      },
      Customer: { allOf: [{ type: 'object' }], nullable: true },
    },
  },
});

describe('upgradeToOpenApi31', () => {
  it('rewrites nullable, boolean exclusive bounds and schema examples everywhere, and validates as 3.1', async () => {
    const upgraded = upgradeToOpenApi31(document30());
    const order = upgraded.components.schemas.Order.properties;

    expect(upgraded.openapi).toBe('3.1.0');
    expect(order.total).toEqual({ type: 'number', exclusiveMinimum: 0, maximum: 10 });
    expect(order.status).toEqual({ type: ['string', 'null'], enum: ['open', 'paid', null], examples: ['open'] });
    expect(order.customer).toEqual({
      description: 'Who ordered.',
      anyOf: [{ $ref: '#/components/schemas/Customer' }, { type: 'null' }],
    });
    expect(order.lines).toEqual({ type: 'array', items: { type: ['string', 'null'] } });
    expect(order.schema).toEqual({ type: 'string', examples: ['a property named schema'] });
    expect(upgraded.components.schemas.Customer).toEqual({
      anyOf: [{ allOf: [{ type: 'object' }] }, { type: 'null' }],
    });

    const path = upgraded.paths['/orders/{id}'];
    expect(path.parameters[0]).toEqual({
      name: 'id',
      in: 'path',
      required: true,
      schema: { type: 'string', examples: ['o-1'] },
      example: 'o-1',
    });
    expect(path.post.requestBody.content['application/json']).toEqual({
      schema: { type: 'object', properties: { note: { type: ['string', 'null'] } } },
      example: { note: null },
    });
    expect(path.post.responses.default.headers['x-rate'].schema).toEqual({ type: 'integer' });

    const result = await new Validator().validate(JSON.parse(JSON.stringify(upgraded)));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('does not modify the document it is given', () => {
    const input = document30();
    upgradeToOpenApi31(input);
    expect(input).toEqual(document30());
  });

  it('refuses a document that is not 3.0.x, with its version', () => {
    for (const openapi of ['3.1.0', '2.0', undefined]) {
      expect(() => upgradeToOpenApi31({ ...document30(), openapi })).toThrow(OpenApiDocumentError);
    }
    expect(() => upgradeToOpenApi31({ swagger: '2.0' })).toThrow(
      expect.objectContaining({ code: 'unsupported-openapi-version' }),
    );
  });
});
