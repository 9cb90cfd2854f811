export { buildOpenApi } from './build-openapi';
export type { BuildOpenApiOptions } from './build-openapi-options';
export { SIGNATURE_HEADERS, DELIVERY_RESPONSES } from './delivery-contract';
