import type { InfoObject, OpenAPIObject, ServerObject, TagObject } from 'openapi3-ts/oas31';
import type { SchemaConverters } from '../schema';
import type { EnvelopeMode } from '../envelope';

export interface BuildOpenApiOptions {
  /**
   * The webhook classes to document: payload classes decorated with `@Webhook`, and catalog classes
   * whose methods are. An explicit list: a decorated class that is not listed is not documented.
   */
  webhooks: readonly Function[];
  /** The document's `info`. Default: `{ title: 'Webhooks', version: '1.0.0' }`, or the `document`'s own. */
  info?: InfoObject;
  /**
   * An existing OpenAPI 3.1 document (hand-written, or from @nestjs/swagger) to add the webhooks to. Its
   * paths, components and tags are kept; it is not modified. A document below 3.1 is refused. Default: none.
   */
  document?: OpenAPIObject;
  /** Servers to list (added to the `document`'s). Default: none. */
  servers?: ServerObject[];
  /** Tag descriptions to list (a tag of the same name in the `document` is replaced). Default: none. */
  tags?: TagObject[];
  /**
   * How the client wraps bodies (`WebhookClient`'s `envelope` option): `standard` documents
   * `{ type, timestamp, data }` with the payload under `data`. Default: `none`, the payload is the body.
   */
  envelope?: EnvelopeMode;
  /** Extra class-validator → JSON Schema converters by rule name, laid over the built-in table. Default: none. */
  converters?: SchemaConverters;
}
