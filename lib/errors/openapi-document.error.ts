import { HookspecError } from './hookspec.error';

/** The codes an `OpenApiDocumentError` is thrown with. */
export type OpenApiDocumentErrorCode =
  | 'unknown-option'
  | 'invalid-option'
  | 'no-webhooks'
  | 'invalid-webhooks'
  | 'invalid-document'
  | 'unsupported-openapi-version'
  | 'openapi-30-document'
  | 'duplicate-webhook-name'
  | 'duplicate-operation-id'
  | 'duplicate-path'
  | 'schema-name-clash'
  | 'invalid-example';

/** The OpenAPI document cannot be built or merged: a base below 3.1, duplicate webhook names, a clash. */
export class OpenApiDocumentError extends HookspecError<OpenApiDocumentErrorCode> {
  override name = 'OpenApiDocumentError';
}
