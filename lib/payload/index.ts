export { validatePayload } from './validate-payload';
export { serializePayload } from './serialize-payload';
