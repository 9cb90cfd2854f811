import { instanceToPlain } from 'class-transformer';

/** The envelope mode: `none` sends the payload as the body; `standard` wraps it as `{ type, timestamp, data }`. */
export type EnvelopeMode = 'none' | 'standard';

/**
 * The exact body bytes of a message: class-transformer's rules (renames, exclusions, dates as ISO
 * strings), then JSON. With the Standard Webhooks envelope, `{ type, timestamp, data }`.
 */
export function serializePayload(payload: object, eventName: string, envelope: EnvelopeMode, now: Date): string {
  const data = instanceToPlain(payload);
  if (envelope === 'none') return JSON.stringify(data);
  return JSON.stringify({ type: eventName, timestamp: now.toISOString(), data });
}
