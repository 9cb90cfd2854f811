/*
 * The sizes a stored endpoint's fields may have: the same in every store, so that an endpoint accepted by
 * one is accepted by another, and the management API can state them in its own OpenAPI document.
 */

/** A caller's own endpoint id; generated ones are `ep_` and 24 letters and digits. */
export const ENDPOINT_ID_PATTERN = /^[a-zA-Z0-9._:-]{1,128}$/;
/** The longest owner (customer or account id). */
export const MAX_OWNER_LENGTH = 128;
/** The longest URL, as most browsers and proxies accept it. */
export const MAX_URL_LENGTH = 2048;
/** The longest description, and the longest reason an endpoint was disabled for. */
export const MAX_DESCRIPTION_LENGTH = 1000;
/** The most metadata keys, and the longest key or value. */
export const MAX_METADATA_KEYS = 50;
export const MAX_METADATA_LENGTH = 1000;
/** A page of `list()`: at most this many endpoints, and this many when no limit is given. */
export const MAX_LIST_LIMIT = 250;
export const DEFAULT_LIST_LIMIT = 50;
