import { HookspecError } from './hookspec.error';

/** The OpenAPI document cannot be built or merged: a base below 3.1, duplicate webhook names, a clash. */
export class OpenApiDocumentError extends HookspecError {
  override name = 'OpenApiDocumentError';
}
