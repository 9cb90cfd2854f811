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
