/**
 * The pattern every webhook name must match: `new-subscription`, `payment.succeeded`, `stock_changed`.
 * In metadata, the leaf both sides read: the decorators check names with it, and so do the run-time
 * endpoint stores for an endpoint's `events`.
 */
export const WEBHOOK_NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;
