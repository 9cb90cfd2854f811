import { HookspecError } from './hookspec.error';

/** The codes an `EndpointStoreError` is thrown with. */
export type EndpointStoreErrorCode =
  | 'missing-dependency'
  | 'unknown-option'
  | 'invalid-option'
  | 'unsupported-schema'
  | 'store-failed'
  | 'invalid-endpoint'
  | 'reserved-header'
  | 'duplicate-endpoint'
  | 'unknown-endpoint'
  | 'invalid-query'
  | 'invalid-cursor'
  | 'transaction-open';

/**
 * An endpoint store refused a call: an endpoint field is malformed (`invalid-endpoint`, `reserved-header`),
 * its id is taken (`duplicate-endpoint`) or unknown (`unknown-endpoint`), a listing has a bad filter or
 * cursor, the store's file is of a newer schema, a write on the app's own connection waited past its busy
 * timeout for the app's transaction to end (`transaction-open`), or the store itself failed. The message
 * names the field and the fix, never a secret or a header value.
 */
export class EndpointStoreError extends HookspecError<EndpointStoreErrorCode> {
  override name = 'EndpointStoreError';
}
