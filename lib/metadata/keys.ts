/** Reflect metadata keys, namespaced so they never collide with other libraries' keys. */
export const WEBHOOKS_KEY = 'hookspec:webhooks';
export const PAYLOADS_KEY = 'hookspec:payloads';
export const PROPERTIES_KEY = 'hookspec:properties';
