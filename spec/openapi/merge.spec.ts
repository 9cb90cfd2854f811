import { IsString } from 'class-validator';
import { buildOpenApi, OpenApiDocumentError, Webhook } from 'hookspec';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { describe, expect, it } from 'vitest';

@Webhook('order.shipped', { tags: ['orders'] })
class OrderShipped {
  @IsString() order_id!: string;
}

const existing = (): OpenAPIObject => ({
  openapi: '3.1.0',
  info: { title: 'Shop API', version: '2.3.0', description: 'The shop.' },
  servers: [{ url: 'https://shop.example.com' }],
  tags: [{ name: 'orders', description: 'Orders' }],
  paths: {
    '/orders': {
      get: { operationId: 'listOrders', responses: { '200': { description: 'The orders' } } },
    },
  },
  components: {
    schemas: { Order: { type: 'object', properties: { id: { type: 'string' } } } },
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
  },
});

describe('buildOpenApi with a document', () => {
  it('adds the webhooks and keeps the paths, components, servers and tags', () => {
    const document = buildOpenApi({ webhooks: [OrderShipped], document: existing() });
    const base = existing();
    expect(document.paths).toEqual(base.paths);
    expect(document.servers).toEqual(base.servers);
    expect(document.tags).toEqual(base.tags);
    expect(document.info).toEqual(base.info);
    expect(document.components?.securitySchemes).toEqual(base.components?.securitySchemes);
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(['Order', 'OrderShipped']);
    expect(document.webhooks?.['order.shipped']?.post?.requestBody).toMatchObject({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/OrderShipped' } } },
    });
  });

  it('does not modify the document it is given', () => {
    const base = existing();
    buildOpenApi({ webhooks: [OrderShipped], document: base });
    expect(base).toEqual(existing());
  });

  it('lays the given info over the document’s', () => {
    const document = buildOpenApi({
      webhooks: [OrderShipped],
      document: existing(),
      info: { title: 'Shop', version: '3.0.0' },
    });
    expect(document.info).toEqual({ title: 'Shop', version: '3.0.0', description: 'The shop.' });
  });

  it('replaces a tag of the same name and adds servers', () => {
    const document = buildOpenApi({
      webhooks: [OrderShipped],
      document: existing(),
      tags: [{ name: 'orders', description: 'Order events' }],
      servers: [{ url: 'https://eu.shop.example.com' }],
    });
    expect(document.tags).toEqual([{ name: 'orders', description: 'Order events' }]);
    expect(document.servers?.map((s) => s.url)).toEqual(['https://shop.example.com', 'https://eu.shop.example.com']);
  });

  it.each(['3.0.3', '3.0.0', '2.0', undefined])(
    'refuses an OpenAPI %s document and says to raise it to 3.1',
    (version) => {
      const base = { ...existing(), openapi: version } as OpenAPIObject;
      expect(() => buildOpenApi({ webhooks: [OrderShipped], document: base })).toThrow(
        expect.objectContaining({
          name: 'OpenApiDocumentError',
          code: 'unsupported-openapi-version',
          message: expect.stringMatching(
            /webhooks need OpenAPI 3\.1 or later, written as a full version\. Set it to '3\.1\.0'/,
          ),
        }),
      );
    },
  );

  it('accepts 3.1.x and later 3.x documents', () => {
    for (const openapi of ['3.1.0', '3.1.1', '3.2.0']) {
      expect(buildOpenApi({ webhooks: [OrderShipped], document: { ...existing(), openapi } }).openapi).toBe(openapi);
    }
  });

  it('refuses a schema of the same name that differs', () => {
    const base = existing();
    base.components!.schemas!.OrderShipped = { type: 'object', properties: { id: { type: 'integer' } } };
    expect(() => buildOpenApi({ webhooks: [OrderShipped], document: base })).toThrow(
      expect.objectContaining({
        code: 'schema-name-clash',
        message: expect.stringContaining('components.schemas.OrderShipped already exists in the document and differs'),
      }),
    );
  });

  it('accepts a schema of the same name that is identical (one DTO, one schema)', () => {
    const generated = buildOpenApi({ webhooks: [OrderShipped] }).components?.schemas?.OrderShipped;
    const base = existing();
    base.components!.schemas!.OrderShipped = structuredClone(generated!);
    expect(buildOpenApi({ webhooks: [OrderShipped], document: base }).components?.schemas?.OrderShipped).toEqual(
      generated,
    );
  });

  it('refuses a webhook the document already has', () => {
    const base = { ...existing(), webhooks: { 'order.shipped': {} } };
    expect(() => buildOpenApi({ webhooks: [OrderShipped], document: base })).toThrow(OpenApiDocumentError);
    expect(() => buildOpenApi({ webhooks: [OrderShipped], document: base })).toThrow(
      /already has a webhook named 'order\.shipped'/,
    );
  });

  it('refuses an operationId that a path already uses', () => {
    const base = existing();
    base.paths!['/orders']!.get!.operationId = 'orderShipped';
    expect(() => buildOpenApi({ webhooks: [OrderShipped], document: base })).toThrow(
      /operationId 'orderShipped' of webhook 'order\.shipped' \(OrderShipped\) is already used by GET path '\/orders' in the document/,
    );
  });

  it('keeps the document’s own webhooks and sorts them with the new ones', () => {
    const base = { ...existing(), webhooks: { 'z.last': { post: { responses: { '200': { description: 'ok' } } } } } };
    const document = buildOpenApi({ webhooks: [OrderShipped], document: base });
    expect(Object.keys(document.webhooks ?? {})).toEqual(['order.shipped', 'z.last']);
  });
});
