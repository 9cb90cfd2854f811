export { buildOpenApi, BUILD_OPENAPI_OPTION_KEYS } from './build-openapi';
export type { BuildOpenApiOptions } from './build-openapi-options';
export { signatureHeaders, deliveryResponses } from './delivery-contract';
