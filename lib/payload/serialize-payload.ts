import { instanceToPlain } from 'class-transformer';
import { wrapEnvelope } from '../envelope';
import type { EnvelopeMode } from '../envelope';

/**
 * The exact body bytes of a message: class-transformer's rules (renames, exclusions, dates as ISO
 * strings), then JSON. With the Standard Webhooks envelope, `{ type, timestamp, data }`.
 */
export function serializePayload(payload: object, eventName: string, envelope: EnvelopeMode, now: Date): string {
  return JSON.stringify(wrapEnvelope(envelope, eventName, now, instanceToPlain(payload)));
}
