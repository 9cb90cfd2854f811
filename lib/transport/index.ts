export { createAxiosTransport, DEFAULT_MAX_RESPONSE_BYTES } from './axios-transport';
export { checkEndpointUrl } from './check-endpoint-url';
export type { CheckEndpointUrlOptions, CheckedEndpointUrl } from './check-endpoint-url';
export type {
  AxiosTransportOptions,
  LookupAllFunction,
  Transport,
  TransportRequest,
  TransportResponse,
} from './transport';
export { redactUrl } from './target-url';
