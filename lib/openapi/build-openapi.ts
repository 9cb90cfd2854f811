import { isDeepStrictEqual } from 'node:util';
import type { OpenAPIObject, OperationObject, PathItemObject } from 'openapi3-ts/oas31';
import { OpenApiDocumentError } from '../errors';
import { checkOptionsObject, oneOf } from '../options';
import type { OptionScope } from '../options';
import { checkWebhookClassList, resolveWebhookList } from '../metadata';
import type { WebhookDefinition } from '../metadata';
import { SchemaGenerator } from '../schema';
import type { BuildOpenApiOptions } from './build-openapi-options';
import { buildWebhookOperation } from './webhook-operation';
import { envelopeSchema } from '../envelope';

/**
 * Every key `buildOpenApi` takes (`addWebhooksToDocument` takes these but `webhooks` and `document`), as a
 * record so that an option added to `BuildOpenApiOptions` but not here fails to compile.
 */
export const BUILD_OPENAPI_OPTION_KEYS = Object.keys({
  webhooks: true,
  info: true,
  document: true,
  servers: true,
  tags: true,
  envelope: true,
  converters: true,
} satisfies Record<keyof BuildOpenApiOptions, true>) as readonly (keyof BuildOpenApiOptions)[];

const SCOPE: OptionScope = {
  where: 'buildOpenApi(options)',
  fail: (code, message) => new OpenApiDocumentError(code, message),
};

const DEFAULT_INFO = { title: 'Webhooks', version: '1.0.0' };
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Builds an OpenAPI 3.1 document whose `webhooks` section describes the given classes: one `post`
 * operation each, with the exact body schema, the signature headers and the delivery contract. Output
 * is deterministic: the same classes give the same document, webhooks and schemas sorted by name.
 */
export function buildOpenApi(options: BuildOpenApiOptions): OpenAPIObject {
  checkOptionsObject(options, BUILD_OPENAPI_OPTION_KEYS, SCOPE, '{ webhooks: [Subscription, BillingWebhooks] }');
  const classes = [
    ...new Set(
      checkWebhookClassList(
        options.webhooks,
        'buildOpenApi({ webhooks })',
        (code, message) => new OpenApiDocumentError(code, message),
      ),
    ),
  ];
  const envelope = oneOf(options.envelope, 'none', ['none', 'standard'], 'envelope', SCOPE);
  const base = baseDocument(options);
  const definitions = collectDefinitions(classes, base);
  const generator = new SchemaGenerator(options.converters ? { converters: options.converters } : {});
  const usedOperationIds = existingOperationIds(base);
  // openapi3-ts gives the types; the document is assembled here by plain assignment (its OpenApiBuilder
  // adds nothing more), so that openapi3-ts is never loaded at run time.
  const document = base;

  for (const definition of definitions) {
    const payloadSchema = generator.refFor(definition.payload, [`webhook '${definition.name}'`]);
    const bodySchema = envelope === 'standard' ? envelopeSchema(definition.name, payloadSchema) : payloadSchema;
    const operation = buildWebhookOperation(definition, bodySchema, envelope);
    claimOperationId(operation, definition, usedOperationIds);
    document.webhooks = { ...document.webhooks, [definition.name]: { post: operation } };
  }
  for (const [name, schema] of Object.entries(generator.components())) {
    const existing = base.components?.schemas?.[name];
    if (existing !== undefined && !isDeepStrictEqual(existing, schema)) {
      throw new OpenApiDocumentError(
        'schema-name-clash',
        `components.schemas.${name} already exists in the document and differs from the schema generated for ` +
          `class ${name}. Rename the class, or remove the document's schema if it describes the same class.`,
      );
    }
    document.components = { ...document.components, schemas: { ...document.components?.schemas, [name]: schema } };
  }
  if (options.servers?.length) document.servers = [...(document.servers ?? []), ...options.servers];
  for (const tag of options.tags ?? []) {
    document.tags = [...(document.tags ?? []).filter((existing) => existing.name !== tag.name), tag];
  }
  return sortSections(document);
}

function baseDocument(options: BuildOpenApiOptions): OpenAPIObject {
  if (!options.document) return { openapi: '3.1.0', info: { ...DEFAULT_INFO, ...options.info } };
  const document = structuredClone(options.document);
  const version = /^(\d+)\.(\d+)\.\d+/.exec(String(document.openapi));
  if (!version || Number(version[1]) !== 3 || Number(version[2]) < 1) {
    throw new OpenApiDocumentError(
      'unsupported-openapi-version',
      `the document's 'openapi' field is ${JSON.stringify(document.openapi)}, but webhooks need OpenAPI 3.1 or later, ` +
        `written as a full version. Set it to '3.1.0' (and check the document for 3.0-only keywords such as ` +
        `'nullable') before merging.`,
    );
  }
  if (options.info) document.info = { ...document.info, ...options.info };
  return document;
}

function collectDefinitions(classes: Function[], base: OpenAPIObject): WebhookDefinition[] {
  const definitions = resolveWebhookList(classes);
  for (const definition of definitions) {
    if (base.webhooks?.[definition.name]) {
      throw new OpenApiDocumentError(
        'duplicate-webhook-name',
        `the document already has a webhook named '${definition.name}'; ${definition.declaredAt} declares it again. ` +
          `Rename the webhook, or remove it from the document.`,
      );
    }
  }
  return definitions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function existingOperationIds(document: OpenAPIObject): Map<string, string> {
  const ids = new Map<string, string>();
  const collect = (section: Record<string, PathItemObject> | undefined, label: string): void => {
    for (const [key, item] of Object.entries(section ?? {})) {
      for (const method of HTTP_METHODS) {
        const id = (item[method] as OperationObject | undefined)?.operationId;
        if (id) ids.set(id, `${method.toUpperCase()} ${label} '${key}' in the document`);
      }
    }
  };
  collect(document.paths, 'path');
  collect(document.webhooks, 'webhook');
  return ids;
}

function claimOperationId(operation: OperationObject, definition: WebhookDefinition, used: Map<string, string>): void {
  const id = operation.operationId as string;
  const holder = used.get(id);
  if (holder) {
    throw new OpenApiDocumentError(
      'duplicate-operation-id',
      `operationId '${id}' of webhook '${definition.name}' (${definition.declaredAt}) is already used by ${holder}. ` +
        `Set a unique one: @Webhook('${definition.name}', { operationId: '…' }).`,
    );
  }
  used.set(id, `webhook '${definition.name}' (${definition.declaredAt})`);
}

/** Webhooks and schemas sorted by name, so that the order of classes or modules never shows in the output. */
function sortSections(document: OpenAPIObject): OpenAPIObject {
  const sorted = <T>(record: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  if (document.webhooks) document.webhooks = sorted(document.webhooks);
  if (document.components?.schemas) document.components.schemas = sorted(document.components.schemas);
  return document;
}
