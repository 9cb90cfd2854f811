export { validatePayload } from './validate-payload';
export { serializePayload } from './serialize-payload';
export { findTooDeep, MAX_JSON_DEPTH } from './json-depth';
export { payloadFromBody } from './payload-from-body';
export type { PayloadFromBodyOptions } from './payload-from-body';
