import { STATUS_CODES } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import type {
  InfoObject,
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  PathItemObject,
  ReferenceObject,
  ResponsesObject,
  SchemaObject,
  SecurityRequirementObject,
} from 'openapi3-ts/oas31';
import { OpenApiDocumentError, WEBHOOK_ADMIN_ERROR_STATUS } from '../../errors';
import type { WebhookAdminErrorCode } from '../../errors';
import { checkOptionsObject, describe } from '../../options';
import type { OptionScope } from '../../options';
import { SchemaGenerator } from '../../schema';
import type { AdminRoute } from './admin-routes';
import { ADMIN_ROUTES, readsBody } from './admin-routes';
import { JSON_CONTENT_TYPE, PROBLEM_CONTENT_TYPE } from './admin-response';
import type { AdminProblemCode } from './admin-response';
import type { AdminDtoName } from './dto/admin-dtos';
import { adminDtos } from './dto/admin-dtos';
import { WIRE_CONVERTERS } from './dto/wire-validators';
import { bodyRequired } from './read-dto';

export interface BuildAdminOpenApiOptions {
  /** Where the app mounts the management API: every path is documented under it. Default: `'/webhooks'`. */
  basePath?: string;
  /**
   * An OpenAPI 3.1 document to add the management API to (your app's, or `buildOpenApi`'s): its paths,
   * components and tags are kept, and it is not modified. Default: a new document.
   */
  document?: OpenAPIObject;
  /** The document's `info`, laid over the `document`'s. Default: `{ title: 'Webhooks management API', version: '1.0.0' }` for a new document. */
  info?: InfoObject;
  /** The tag of every operation. Default: `'Webhooks'`. */
  tag?: string;
  /**
   * The security requirement of every operation: how your `authorize` authenticates, e.g.
   * `[{ bearerAuth: [] }]` with `bearerAuth` declared in `document.components.securitySchemes`. Default:
   * none stated (the document's top-level `security` applies).
   */
  security?: SecurityRequirementObject[];
}

const OPTION_KEYS = Object.keys({
  basePath: true,
  document: true,
  info: true,
  tag: true,
  security: true,
} satisfies Record<keyof BuildAdminOpenApiOptions, true>);

const SCOPE: OptionScope = {
  where: 'buildAdminOpenApi(options)',
  fail: (code, message) => new OpenApiDocumentError(code, message),
};

const JSON_MEDIA = JSON_CONTENT_TYPE.split(';')[0] as string;
const DEFAULT_INFO: InfoObject = { title: 'Webhooks management API', version: '1.0.0' };
const BASE_PATH = /^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*$/;

/** What every route may answer, whatever it does. */
const EVERY_ROUTE: readonly WebhookAdminErrorCode[] = ['unauthorized', 'forbidden'];

/**
 * The OpenAPI 3.1 document of the management API, generated from the same route table and DTO classes
 * that serve and check it: every route under `basePath`, its parameters, request body, success answer
 * and `application/problem+json` errors, and the DTO schemas in `components.schemas`.
 *
 * Give your app's document as `document` to get one spec with both, then add the webhooks:
 * `buildOpenApi({ webhooks, document: buildAdminOpenApi({ basePath: '/webhooks', document: appDocument }) })`.
 *
 * Throws `OpenApiDocumentError`: `unknown-option` / `invalid-option`, `unsupported-openapi-version` for a
 * document below 3.1, and `duplicate-path`, `duplicate-operation-id` or `schema-name-clash` when the
 * document already has a route, an operationId or a different schema of the same name.
 */
export function buildAdminOpenApi(options: BuildAdminOpenApiOptions = {}): OpenAPIObject {
  checkOptionsObject(options, OPTION_KEYS, SCOPE, "{ basePath: '/webhooks' }");
  const basePath = options.basePath ?? '/webhooks';
  if (typeof basePath !== 'string' || !BASE_PATH.test(basePath)) {
    throw SCOPE.fail(
      'invalid-option',
      `${SCOPE.where}: basePath must be the path the API is mounted at, such as '/webhooks' ('' for the root; no ` +
        `trailing slash), got ${describe(basePath)}.`,
    );
  }
  const tag = options.tag ?? 'Webhooks';
  if (typeof tag !== 'string' || tag === '') {
    throw SCOPE.fail('invalid-option', `${SCOPE.where}: tag must be a non-empty string, got ${describe(tag)}.`);
  }
  if (options.security !== undefined && !Array.isArray(options.security)) {
    throw SCOPE.fail(
      'invalid-option',
      `${SCOPE.where}: security must be an array of security requirements such as [{ bearerAuth: [] }], got ${describe(options.security)}.`,
    );
  }
  const document = baseDocument(options);
  const generator = new SchemaGenerator({ converters: WIRE_CONVERTERS });
  const problem = generator.refFor(adminDtos().ProblemOut);
  const operationIds = existingOperationIds(document);
  const paths: Record<string, PathItemObject> = { ...document.paths };

  for (const route of ADMIN_ROUTES) {
    const path = basePath + route.path;
    const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete';
    if (paths[path]?.[method] !== undefined) {
      throw new OpenApiDocumentError(
        'duplicate-path',
        `the document already has ${route.method} ${path}, a route of the management API. Mount the API at another ` +
          'basePath, or remove that operation from the document.',
      );
    }
    if (operationIds.has(route.operationId)) {
      throw new OpenApiDocumentError(
        'duplicate-operation-id',
        `operationId '${route.operationId}' of the management API's ${route.method} ${path} is already used by ` +
          `${operationIds.get(route.operationId)}. Rename that operation.`,
      );
    }
    operationIds.set(route.operationId, `${route.method} ${path}`);
    paths[path] = {
      ...paths[path],
      [method]: operationOf(route, { generator, problem, tag, security: options.security }),
    };
  }
  document.paths = paths;
  mergeSchemas(document, generator.components());
  if (!(document.tags ?? []).some((existing) => existing.name === tag)) {
    document.tags = [
      ...(document.tags ?? []),
      { name: tag, description: 'Webhook endpoints, their deliveries and the event types they can receive.' },
    ];
  }
  return document;
}

interface OperationContext {
  readonly generator: SchemaGenerator;
  readonly problem: ReferenceObject;
  readonly tag: string;
  readonly security: SecurityRequirementObject[] | undefined;
}

function operationOf(route: AdminRoute, context: OperationContext): OperationObject {
  const { generator } = context;
  const parameters: ParameterObject[] = [];
  if (route.path.includes('{id}')) {
    const of = route.path.startsWith('/messages') ? 'message (its `webhook-id`)' : 'endpoint';
    parameters.push({
      name: 'id',
      in: 'path',
      required: true,
      description: `The id of the ${of}.`,
      schema: { type: 'string' },
    });
  }
  if (route.query !== undefined) parameters.push(...queryParameters(route.query));
  const dtos = adminDtos();
  const success = STATUS_CODES[route.status] ?? 'Success';
  const responses: ResponsesObject = {
    [route.status]:
      route.response === undefined
        ? { description: success }
        : { description: success, content: { [JSON_MEDIA]: { schema: generator.refFor(dtos[route.response]) } } },
  };
  for (const [status, codes] of errorsOf(route)) {
    responses[status] = {
      description: `${STATUS_CODES[status] ?? 'Error'}: ${codes.map((code) => `\`${code}\``).join(', ')}.`,
      content: { [PROBLEM_CONTENT_TYPE]: { schema: context.problem } },
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: route.description,
    tags: [context.tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body === undefined
      ? {}
      : {
          requestBody: {
            required: bodyRequired(route.body),
            content: { [JSON_MEDIA]: { schema: generator.refFor(dtos[route.body]) } },
          },
        }),
    responses,
    ...(context.security === undefined ? {} : { security: structuredClone(context.security) }),
  };
}

/** The problem codes a route may answer, by status, in status order. */
function errorsOf(route: AdminRoute): [number, AdminProblemCode[]][] {
  const codes = new Set<WebhookAdminErrorCode>(EVERY_ROUTE);
  if (route.query !== undefined || readsBody(route)) codes.add('invalid-request');
  if (readsBody(route)) {
    codes.add('payload-too-large');
    codes.add('unsupported-media-type');
  }
  for (const code of route.errors) codes.add(code);
  const byStatus = new Map<number, AdminProblemCode[]>([[500, ['internal-error']]]);
  for (const code of codes) {
    const status = WEBHOOK_ADMIN_ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return [...byStatus.entries()].sort(([a], [b]) => a - b);
}

/** One query parameter per property of the query DTO, with its schema (a query value is never null). */
function queryParameters(name: AdminDtoName): ParameterObject[] {
  // Its own generator: the query DTO is documented as parameters, not as a component schema.
  const generator = new SchemaGenerator({ converters: WIRE_CONVERTERS });
  const type = adminDtos()[name];
  generator.refFor(type);
  const schema = generator.components()[type.name] as SchemaObject;
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([property, propertySchema]) => {
    const { description, ...rest } = withoutNull(propertySchema as SchemaObject);
    return {
      name: property,
      in: 'query',
      required: required.has(property),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

function withoutNull(schema: SchemaObject): SchemaObject {
  if (!Array.isArray(schema.type)) return schema;
  const types = schema.type.filter((type) => type !== 'null');
  const out: SchemaObject = { ...schema, type: types.length === 1 ? types[0] : types };
  if (out.enum) out.enum = out.enum.filter((value) => value !== null);
  return out;
}

function baseDocument(options: BuildAdminOpenApiOptions): OpenAPIObject {
  if (options.document === undefined) return { openapi: '3.1.0', info: { ...DEFAULT_INFO, ...options.info } };
  const document = structuredClone(options.document);
  const version = /^(\d+)\.(\d+)\.\d+/.exec(String(document.openapi));
  if (!version || Number(version[1]) !== 3 || Number(version[2]) < 1) {
    throw new OpenApiDocumentError(
      'unsupported-openapi-version',
      `the document's 'openapi' field is ${JSON.stringify(document.openapi)}; the management API is documented ` +
        "with OpenAPI 3.1 schemas (JSON Schema 2020-12). Set it to '3.1.0' (upgradeToOpenApi31 rewrites a 3.0 document).",
    );
  }
  if (options.info) document.info = { ...document.info, ...options.info };
  return document;
}

function existingOperationIds(document: OpenAPIObject): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [section, items] of [
    ['path', document.paths],
    ['webhook', document.webhooks],
  ] as const) {
    for (const [key, item] of Object.entries(items ?? {})) {
      for (const [method, operation] of Object.entries(item as PathItemObject)) {
        const id = (operation as OperationObject | undefined)?.operationId;
        if (typeof id === 'string') ids.set(id, `${method.toUpperCase()} ${section} '${key}' in the document`);
      }
    }
  }
  return ids;
}

function mergeSchemas(document: OpenAPIObject, schemas: Record<string, SchemaObject>): void {
  const merged = { ...document.components?.schemas };
  for (const [name, schema] of Object.entries(schemas)) {
    const existing = merged[name];
    if (existing !== undefined && !isDeepStrictEqual(existing, schema)) {
      throw new OpenApiDocumentError(
        'schema-name-clash',
        `components.schemas.${name} already exists in the document and is not the management API's ${name}. ` +
          'Rename your schema, or build the management API into a document of its own.',
      );
    }
    merged[name] = schema;
  }
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  document.components = { ...document.components, schemas: sorted };
}
