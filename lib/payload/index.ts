export { validatePayload } from './validate-payload';
export { serializePayload } from './serialize-payload';
export type { EnvelopeMode } from './serialize-payload';
