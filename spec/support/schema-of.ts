import { buildOpenApi, Payload, Webhook } from 'hookspec';
import type { SchemaObject } from 'openapi3-ts/oas31';

/**
 * The webhook `componentsOf` documents a single class under: errors thrown for it start their path with
 * `[webhook 'schema-of']`, as they would for a webhook of that name.
 */
export const SCHEMA_OF_WEBHOOK = 'schema-of';

/**
 * The `components.schemas` that `buildOpenApi` (the public door) writes for `types`, each the payload of
 * one webhook of a catalog class made for the call; the classes themselves get no metadata.
 */
export function componentsOf(...types: Function[]): Record<string, SchemaObject> {
  class SchemaOfCatalog {}
  types.forEach((type, index) => {
    const method = `payload${index}`;
    const descriptor: PropertyDescriptor = { value: () => undefined, writable: true, configurable: true };
    Object.defineProperty(SchemaOfCatalog.prototype, method, descriptor);
    Payload(type)(SchemaOfCatalog.prototype, method, descriptor);
    Webhook(types.length === 1 ? SCHEMA_OF_WEBHOOK : `${SCHEMA_OF_WEBHOOK}-${index}`)(
      SchemaOfCatalog.prototype,
      method,
      descriptor,
    );
  });
  return (buildOpenApi({ webhooks: [SchemaOfCatalog] }).components?.schemas ?? {}) as Record<string, SchemaObject>;
}

/** The component schema of `type`, as `buildOpenApi` documents it. */
export function schemaOf(type: Function): SchemaObject {
  const schema = componentsOf(type)[type.name];
  if (schema === undefined) throw new Error(`buildOpenApi wrote no components.schemas.${type.name}`);
  return schema;
}

/** The `properties` of `type`'s component schema. */
export function propertiesOf(type: Function): SchemaObject['properties'] {
  return schemaOf(type).properties;
}
