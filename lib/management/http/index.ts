/*
 * The management API over HTTP, whatever the framework: the route table, handleAdminRequest (routing,
 * DTO checks, problem+json), the per-request frame every adapter runs (authorize, then body limits), and
 * buildAdminOpenApi, the API's own OpenAPI 3.1 document. lib/frameworks/<framework>/admin-*.ts adapt it.
 */
export { handleAdminRequest } from './handle-admin-request';
export type { AdminRequest, AdminRequestTarget, HandleAdminRequestOptions } from './handle-admin-request';
export type { AdminResponse, AdminProblem, AdminProblemCode } from './admin-response';
export { responseBytes, writeAdminResponse } from './admin-response';
export type { AdminQuery, FieldProblem } from './read-dto';
export { resolveAdminRouterOptions } from './admin-router-options';
export type { AdminAuthorization, AdminRouterOptions, ResolvedAdminRouterOptions } from './admin-router-options';
export { ADMIN_BODY_LIMIT, createAdminHttpHandler, payloadTooLarge } from './admin-http-handler';
export type { AdminBody, AdminHttpHandler, IncomingAdminRequest } from './admin-http-handler';
export { discardNodeBody, readNodeBody } from './read-node-body';
export { ADMIN_ROUTES } from './admin-routes';
export type { AdminRoute, AdminMethod } from './admin-routes';
export { buildAdminOpenApi } from './build-admin-openapi';
export type { BuildAdminOpenApiOptions } from './build-admin-openapi';
