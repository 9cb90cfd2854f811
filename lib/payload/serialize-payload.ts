import { wrapEnvelope } from '../envelope';
import type { EnvelopeMode } from '../envelope';
import { WebhookValidationError } from '../errors';
import { shapePayload } from './shape-payload';
import type { UnknownProperties } from '../metadata';

/** How one payload becomes the body bytes. */
export interface SerializeOptions {
  /** The webhook's name: the envelope's `type`, and the context of errors. */
  readonly event: string;
  readonly envelope: EnvelopeMode;
  /** The envelope's `timestamp`. */
  readonly now: Date;
  /** What to do with properties the class does not declare. Default: `strip`. */
  readonly unknownProperties?: UnknownProperties;
}

/**
 * The exact body bytes of a message: only the properties the payload's class declares (at every depth),
 * class-transformer's rules (renames, exclusions, `@Transform`, dates as ISO strings), then JSON; with the
 * Standard Webhooks envelope, `{ type, timestamp, data }`. Throws a `WebhookValidationError` naming each
 * path that JSON cannot carry (a cycle, a BigInt, NaN, a getter that throws, nesting past MAX_JSON_DEPTH)
 * or, with `unknownProperties: 'reject'`, that the class does not declare.
 */
export function serializePayload(payload: object, cls: Function, options: SerializeOptions): string {
  const { plain, issues } = shapePayload(payload, cls, {
    unknownProperties: options.unknownProperties ?? 'strip',
    depth: options.envelope === 'standard' ? 2 : 1,
  });
  if (issues.length > 0) {
    throw new WebhookValidationError(cls.name, issues, `send() of '${options.event}'`, 'nothing was sent');
  }
  return JSON.stringify(wrapEnvelope(options.envelope, options.event, options.now, plain));
}
