export { createAxiosTransport, DEFAULT_MAX_RESPONSE_BYTES } from './axios-transport';
export { checkEndpointUrl } from './check-endpoint-url';
export { createUndiciTransport } from './undici-transport';
export type { CheckEndpointUrlOptions, CheckedEndpointUrl } from './check-endpoint-url';
export type {
  AxiosTransportOptions,
  GuardedTransportOptions,
  LookupAllFunction,
  Transport,
  TransportRequest,
  TransportResponse,
  UndiciTransportOptions,
} from './transport';
export { redactUrl } from './target-url';
