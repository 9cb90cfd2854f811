/*
 * Endpoints registered at run time: the writable endpoint-store contract and its in-memory store (the
 * SQLite one is `hookspec/sqlite`). The management layer (`WebhookAdmin`) sits on these.
 */
export type {
  EndpointInput,
  EndpointPatch,
  StoredEndpoint,
  EndpointQuery,
  EndpointWithSecret,
  WritableEndpointStore,
} from './writable-endpoint-store';
export { MAX_SECRET_GRACE_MS, DEFAULT_SECRET_GRACE_MS } from './writable-endpoint-store';
export { MemoryEndpointStore } from './memory-endpoint-store';
export {
  ENDPOINT_ID_PATTERN,
  MAX_OWNER_LENGTH,
  MAX_URL_LENGTH,
  MAX_DESCRIPTION_LENGTH,
  MAX_METADATA_KEYS,
  MAX_METADATA_LENGTH,
  MAX_LIST_LIMIT,
  DEFAULT_LIST_LIMIT,
} from './endpoint-limits';
