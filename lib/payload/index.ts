/*
 * A payload on the wire, both ways: shaped to the properties its class declares (lib/facts), checked for what
 * JSON cannot carry, validated with class-validator and serialised for sending; and, from a verified body,
 * an instance of its class again. Shared by the sender, the receivers and buildOpenApi's examples.
 */
export { validatePayload } from './validate-payload';
export { serializePayload } from './serialize-payload';
export { shapePayload } from './shape-payload';
export type { SerializeOptions } from './serialize-payload';
export { DEFAULT_MAX_PAYLOAD_BYTES, preparePayload } from './prepare-payload';
export type { PrepareOptions } from './prepare-payload';
export { instanceFromPlain } from './instance-from-plain';
export { findTooDeep, MAX_JSON_DEPTH } from './json-depth';
export { payloadFromBody } from './payload-from-body';
export type { PayloadFromBodyOptions } from './payload-from-body';
