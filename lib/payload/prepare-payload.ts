import { WebhookSendError } from '../errors';
import { serializePayload } from './serialize-payload';
import type { SerializeOptions } from './serialize-payload';
import { validatePayload } from './validate-payload';

/** The receivers' default body limit (1 MiB, `DEFAULT_WEBHOOK_BODY_LIMIT`): a larger body would be 413'd on every attempt. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** What `send()` checks a payload against, besides its class. */
export interface PrepareOptions extends SerializeOptions {
  /** The largest body accepted, in bytes, envelope included. */
  readonly maxPayloadBytes: number;
}

/**
 * Everything `send()` does to a payload before it is queued: shape it (the declared properties only, and
 * nothing JSON cannot carry), validate it with class-validator, serialise it and check its size. Shaping
 * comes first so that class-validator never reads a getter that throws or walks a cycle.
 */
export async function preparePayload(payload: object, cls: Function, options: PrepareOptions): Promise<string> {
  const body = serializePayload(payload, cls, options);
  await validatePayload(payload, `send() of '${options.event}'`, 'nothing was sent');
  // A UTF-8 byte is at most 3 per UTF-16 unit: most bodies need no count at all.
  if (body.length * 3 > options.maxPayloadBytes) {
    const bytes = Buffer.byteLength(body);
    if (bytes > options.maxPayloadBytes) {
      throw new WebhookSendError(
        'payload-too-large',
        `send() of '${options.event}': the body is ${bytes} bytes, over maxPayloadBytes (${options.maxPayloadBytes}); ` +
          'receivers refuse it with 413 on every attempt (their default limit is 1 MiB), so nothing was sent. ' +
          'Send less (a link or an id to fetch the rest), or raise maxPayloadBytes on the client and the receivers alike.',
      );
    }
  }
  return body;
}
