/*
 * Build time: webhook definitions and their JSON Schemas → the OpenAPI 3.1 document (`buildOpenApi`), merged
 * into a document of yours, and the 3.0 → 3.1 upgrade. Examples are shaped by lib/payload, as sent.
 */
export { buildOpenApi, BUILD_OPENAPI_OPTION_KEYS } from './build-openapi';
export type { BuildOpenApiOptions } from './build-openapi-options';
export { signatureHeaders, deliveryResponses } from './delivery-contract';
