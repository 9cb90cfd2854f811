export { createAxiosTransport, DEFAULT_MAX_RESPONSE_BYTES } from './axios-transport';
export type {
  AxiosTransportOptions,
  LookupAllFunction,
  Transport,
  TransportRequest,
  TransportResponse,
} from './transport';
export { redactUrl } from './target-url';
