/*
 * The management layer: `WebhookAdmin`, the one owner-scoped object over a client's endpoint store and
 * message history. The top layer: it may import both the build-time side (the body schemas of the event
 * catalogue) and the run-time side (the client, its store and queue).
 */
export { WebhookAdmin } from './webhook-admin';
export type { OwnerScope, RetentionOptions, WebhookAdminOptions } from './webhook-admin-options';
export type { EventTypeView } from './event-types';
export { PORTAL_CAPABILITIES } from './portal-token';
export type { PortalCapability, PortalSession, PortalTokenOptions } from './portal-token';
