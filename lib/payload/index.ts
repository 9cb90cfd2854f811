export { validatePayload } from './validate-payload';
export { serializePayload } from './serialize-payload';
export type { SerializeOptions } from './serialize-payload';
export { DEFAULT_MAX_PAYLOAD_BYTES, preparePayload } from './prepare-payload';
export type { PrepareOptions } from './prepare-payload';
export { instanceFromPlain } from './instance-from-plain';
export { findTooDeep, MAX_JSON_DEPTH } from './json-depth';
export { payloadFromBody } from './payload-from-body';
export type { PayloadFromBodyOptions } from './payload-from-body';
