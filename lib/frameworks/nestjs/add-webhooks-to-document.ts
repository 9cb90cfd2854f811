import type { OpenAPIObject, SchemaObject } from 'openapi3-ts/oas31';
import { isDeepStrictEqual } from 'node:util';
import { OpenApiDocumentError } from '../../errors';
import { buildOpenApi, BUILD_OPENAPI_OPTION_KEYS } from '../../openapi';
import type { BuildOpenApiOptions } from '../../openapi';
import { checkOptionsObject, describe } from '../../options';
import type { OptionScope } from '../../options';
import { upgradeToOpenApi31 } from '../../openapi/upgrade-to-openapi-31';

/** How `addWebhooksToDocument` merges. The rest are `buildOpenApi`'s options. */
export interface AddWebhooksOptions extends Omit<BuildOpenApiOptions, 'webhooks' | 'document'> {
  /**
   * Rewrite a 3.0 document (what `SwaggerModule.createDocument` emits by default) as 3.1 first: version,
   * `nullable`, boolean `exclusiveMinimum`/`exclusiveMaximum`, schema `example`, in the whole document.
   * Without it, a 3.0 document is refused. Default: `false`.
   */
  upgradeTo31?: boolean;
}

const ADD_WEBHOOKS_OPTION_KEYS: readonly (keyof AddWebhooksOptions)[] = [
  ...BUILD_OPENAPI_OPTION_KEYS.filter(
    (key): key is Exclude<keyof BuildOpenApiOptions, 'webhooks' | 'document'> =>
      key !== 'webhooks' && key !== 'document',
  ),
  'upgradeTo31',
];

const SCOPE: OptionScope = {
  where: 'addWebhooksToDocument(document, classes, options)',
  fail: (code, message) => new OpenApiDocumentError(code, message),
};

/**
 * The document that `SwaggerModule.createDocument(app, config)` returned, with the webhooks of `classes`
 * added, ready for `SwaggerModule.setup('docs', app, document)`. The document passed in is not modified.
 *
 * A DTO that is both a route's body (or response) and a webhook payload keeps one `components.schemas`
 * entry: when the document's entry has no property that hookspec's lacks, it becomes hookspec's schema,
 * which reads the same `@ApiProperty` metadata and adds what class-validator enforces.
 *
 * Throws `OpenApiDocumentError`: `unknown-option` / `invalid-option` for options it does not take,
 * `openapi-30-document` for a 3.0 document without `upgradeTo31`,
 * `unsupported-openapi-version`, `schema-name-clash`, and those of `buildOpenApi`.
 */
export function addWebhooksToDocument<T extends object>(
  document: T,
  classes: readonly Function[],
  options: AddWebhooksOptions = {},
): T {
  checkOptionsObject(options, ADD_WEBHOOKS_OPTION_KEYS, SCOPE, '{ upgradeTo31: true }');
  const { upgradeTo31 = false, ...buildOptions } = options;
  if (typeof upgradeTo31 !== 'boolean') {
    throw SCOPE.fail(
      'invalid-option',
      `${SCOPE.where}: upgradeTo31 must be true or false, got ${describe(upgradeTo31)}.`,
    );
  }
  let base = checkedDocument(document, upgradeTo31);
  const generated = buildOpenApi({ ...buildOptions, webhooks: classes }).components?.schemas ?? {};
  const schemas = base.components?.schemas;
  if (schemas) {
    const reconciled = { ...schemas };
    for (const [name, schema] of Object.entries(generated)) {
      const existing = schemas[name];
      if (existing !== undefined && !isDeepStrictEqual(existing, schema)) {
        reconciled[name] = reconcile(name, existing as SchemaObject, schema as SchemaObject);
      }
    }
    base = { ...base, components: { ...base.components, schemas: reconciled } };
  }
  return buildOpenApi({ ...buildOptions, webhooks: classes, document: base }) as T;
}

function checkedDocument(document: object, upgradeTo31: boolean): OpenAPIObject {
  if (typeof document !== 'object' || document === null || !('openapi' in document)) {
    throw new OpenApiDocumentError(
      'invalid-document',
      'addWebhooksToDocument(document, classes): document must be an OpenAPI document, such as the one ' +
        'SwaggerModule.createDocument(app, config) returns.',
    );
  }
  const version = String(document.openapi);
  if (!/^3\.0\.\d+$/.test(version)) return document as OpenAPIObject;
  if (!upgradeTo31) {
    throw new OpenApiDocumentError(
      'openapi-30-document',
      `the document is OpenAPI ${version}, which has no webhooks (SwaggerModule.createDocument emits 3.0.0 unless ` +
        "told otherwise). Build it as 3.1 with new DocumentBuilder().setOpenAPIVersion('3.1.0'), or pass " +
        '{ upgradeTo31: true } to addWebhooksToDocument to rewrite this 3.0 document as 3.1.',
    );
  }
  return upgradeToOpenApi31(document as OpenAPIObject);
}

/**
 * One entry for a class that the document already describes: hookspec's schema, when it describes every
 * property the document's entry lists (it was built from the same class, and knows its validation rules).
 */
function reconcile(name: string, existing: SchemaObject, generated: SchemaObject): SchemaObject {
  const known = new Set(Object.keys(generated.properties ?? {}));
  const missing = Object.keys(existing.properties ?? {}).filter((property) => !known.has(property));
  const isObjectSchema = existing.type === 'object' || (existing.type === undefined && existing.properties);
  if (isObjectSchema && missing.length === 0) return generated;
  throw new OpenApiDocumentError(
    'schema-name-clash',
    `components.schemas.${name} already exists in the document and is not the webhook payload class ${name}` +
      (missing.length > 0
        ? `: it has ${missing.map((p) => `'${p}'`).join(', ')}, which class ${name} does not send`
        : '') +
      '. Rename one of the classes (or @ApiSchema({ name }) on the DTO), or make them the same class.',
  );
}
