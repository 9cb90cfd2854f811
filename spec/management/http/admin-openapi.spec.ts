import { Validator } from '@seriousme/openapi-schema-validator';
import { buildAdminOpenApi, buildOpenApi, OpenApiDocumentError } from 'hookspec';
import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject } from 'openapi3-ts/oas31';
import { describe, expect, it } from 'vitest';
import { ADMIN_ROUTES } from '../../../lib/management/http';
import { WEBHOOKS } from '../fixtures';

/** An app's own hand-written 3.1 document: a route, a schema and how it authenticates. */
function appDocument(): OpenAPIObject {
  return {
    openapi: '3.1.0',
    info: { title: 'Shop', version: '2.0.0' },
    paths: {
      '/health': {
        get: {
          operationId: 'health',
          responses: {
            '200': {
              description: 'OK',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } },
            },
          },
        },
      },
    },
    components: {
      schemas: { Health: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
    },
  };
}

async function expectValid(document: OpenAPIObject): Promise<void> {
  const result = await new Validator().validate(document as never);
  expect(result).toEqual({ valid: true });
}

const operation = (document: OpenAPIObject, method: string, path: string) =>
  (document.paths?.[path] as Record<string, OperationObject>)[method.toLowerCase()] as OperationObject;

describe('buildAdminOpenApi', () => {
  it('is a valid OpenAPI 3.1 document, the same on every build', async () => {
    const document = buildAdminOpenApi();
    await expectValid(document);
    expect(JSON.stringify(buildAdminOpenApi())).toBe(JSON.stringify(document));
    expect(document.info).toEqual({ title: 'Webhooks management API', version: '1.0.0' });
  });

  it('documents every route of the table with its body, success answer and problem+json errors', () => {
    const document = buildAdminOpenApi({ basePath: '/webhooks' });
    const documented = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(ADMIN_ROUTES.map((route) => `${route.method} /webhooks${route.path}`).sort());
    for (const route of ADMIN_ROUTES) {
      const op = operation(document, route.method, `/webhooks${route.path}`);
      const where = `${route.method} ${route.path}`;
      expect(op.operationId, where).toBe(route.operationId);
      const success = op.responses?.[String(route.status)] as ResponseObject;
      expect(success.content?.['application/json']?.schema, where).toEqual(
        route.response === undefined ? undefined : { $ref: `#/components/schemas/${route.response}` },
      );
      expect(op.requestBody === undefined, where).toBe(route.body === undefined);
      const errorStatuses = Object.keys(op.responses ?? {}).filter((status) => status !== String(route.status));
      const expected = ['401', '403', '500'];
      const readsBody = route.method === 'POST' || route.method === 'PATCH';
      if (readsBody || route.query !== undefined) expected.push('400');
      if (readsBody) expected.push('413', '415');
      expect(errorStatuses, where).toEqual(expect.arrayContaining(expected));
      for (const status of errorStatuses) {
        expect((op.responses?.[status] as ResponseObject).content, `${where} ${status}`).toEqual({
          'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemOut' } },
        });
      }
      const descriptions = errorStatuses.map((status) => (op.responses?.[status] as ResponseObject).description);
      for (const code of route.errors) expect(descriptions.join(' '), where).toContain(`\`${code}\``);
    }
  });

  it('documents query parameters from the query DTOs, never as null, and the id in the path', () => {
    const document = buildAdminOpenApi();
    const list = operation(document, 'GET', '/webhooks/messages').parameters as ParameterObject[];
    expect(list.map((p) => [p.name, p.in, p.required])).toEqual([
      ['event', 'query', false],
      ['status', 'query', false],
      ['endpointId', 'query', false],
      ['since', 'query', false],
      ['until', 'query', false],
      ['limit', 'query', false],
      ['cursor', 'query', false],
    ]);
    expect(list.find((p) => p.name === 'status')?.schema).toEqual({
      type: 'string',
      enum: ['pending', 'failing', 'delivered', 'exhausted', 'disabled', 'cancelled'],
    });
    expect(list.find((p) => p.name === 'limit')?.schema).toEqual({ type: 'integer', minimum: 1, maximum: 250 });
    const stats = operation(document, 'GET', '/webhooks/endpoints/{id}/stats').parameters as ParameterObject[];
    expect(stats.map((p) => [p.name, p.in, p.required])).toEqual([
      ['id', 'path', true],
      ['since', 'query', true],
      ['until', 'query', false],
    ]);
    expect(stats[1]?.schema).toEqual({ type: 'string', format: 'date-time' });
  });

  it('marks a body required when its DTO has a required field', () => {
    const document = buildAdminOpenApi();
    expect(operation(document, 'POST', '/webhooks/endpoints').requestBody).toMatchObject({ required: true });
    expect(operation(document, 'POST', '/webhooks/endpoints/{id}/disable').requestBody).toMatchObject({
      required: false,
    });
    expect(document.components?.schemas?.EndpointIn).toMatchObject({
      required: ['url'],
      properties: { headers: { type: ['object', 'null'], additionalProperties: { type: 'string' } } },
    });
  });

  it("merges into the app's document, then takes the webhooks: one valid spec with all three", async () => {
    const app = appDocument();
    const before = structuredClone(app);
    const withAdmin = buildAdminOpenApi({ basePath: '/api/webhooks', document: app, security: [{ bearerAuth: [] }] });
    const merged = buildOpenApi({ webhooks: [...WEBHOOKS], document: withAdmin });
    await expectValid(merged);
    expect(app).toEqual(before);
    expect(merged.info).toEqual({ title: 'Shop', version: '2.0.0' });
    expect(Object.keys(merged.paths ?? {})).toEqual(expect.arrayContaining(['/health', '/api/webhooks/endpoints']));
    expect(Object.keys(merged.webhooks ?? {}).sort()).toEqual(['invoice.paid', 'lottery.drawn', 'user.signup']);
    expect(Object.keys(merged.components?.schemas ?? {})).toEqual(
      expect.arrayContaining(['Health', 'EndpointOut', 'ProblemOut', 'InvoicePaid']),
    );
    expect(operation(merged, 'DELETE', '/api/webhooks/endpoints/{id}').security).toEqual([{ bearerAuth: [] }]);
    expect(merged.tags).toEqual([{ name: 'Webhooks', description: expect.any(String) }]);
  });

  it('refuses to merge over what the document already has', () => {
    const taken = appDocument();
    taken.paths = { '/webhooks/endpoints': { post: { operationId: 'mine', responses: {} } } };
    const clashes: [string, () => OpenAPIObject, string][] = [
      ['duplicate-path', () => buildAdminOpenApi({ document: taken }), 'POST /webhooks/endpoints'],
      [
        'duplicate-operation-id',
        () => {
          const document = appDocument();
          (document.paths?.['/health']?.get as OperationObject).operationId = 'listWebhookMessages';
          return buildAdminOpenApi({ document });
        },
        "operationId 'listWebhookMessages'",
      ],
      [
        'schema-name-clash',
        () => {
          const document = appDocument();
          (document.components?.schemas as Record<string, object>).EndpointOut = { type: 'string' };
          return buildAdminOpenApi({ document });
        },
        'components.schemas.EndpointOut',
      ],
      [
        'unsupported-openapi-version',
        () => buildAdminOpenApi({ document: { ...appDocument(), openapi: '3.0.3' } }),
        '"3.0.3"',
      ],
    ];
    for (const [code, build, mention] of clashes) {
      const error = (() => {
        try {
          build();
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error, code).toBeInstanceOf(OpenApiDocumentError);
      expect(error, code).toMatchObject({ code, message: expect.stringContaining(mention) });
    }
  });

  it('refuses unknown and invalid options', () => {
    expect(() => buildAdminOpenApi({ basepath: '/x' } as never)).toThrow(
      expect.objectContaining({ code: 'unknown-option', message: expect.stringContaining("did you mean 'basePath'") }),
    );
    for (const basePath of ['/webhooks/', 'webhooks', '/a b']) {
      expect(() => buildAdminOpenApi({ basePath })).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    }
    expect(() => buildAdminOpenApi({ tag: '' })).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    expect(Object.keys(buildAdminOpenApi({ basePath: '' }).paths ?? {})).toContain('/endpoints/{id}');
  });
});
