/*
 * The Standard Webhooks envelope, `{ "type": name, "timestamp": iso, "data": payload }`, in one place: the
 * mode option, wrapping (the sender), unwrapping and detection (the receivers, `hookspec listen`) and its
 * schema (the document). A leaf: it imports only the errors and, for types, openapi3-ts.
 */
import type { ReferenceObject, SchemaObject } from 'openapi3-ts/oas31';
import { WebhookVerificationError } from '../errors';

/** `none` sends the payload as the body; `standard` wraps it as `{ type, timestamp, data }`. */
export type EnvelopeMode = 'none' | 'standard';

export const ENVELOPE_MODES: readonly EnvelopeMode[] = ['none', 'standard'];

export function isEnvelopeMode(value: unknown): value is EnvelopeMode {
  return value === 'none' || value === 'standard';
}

/** The body's JSON value for a payload already turned into plain data. */
export function wrapEnvelope(mode: EnvelopeMode, type: string, timestamp: Date, data: unknown): unknown {
  return mode === 'none' ? data : { type, timestamp: timestamp.toISOString(), data };
}

/** The `type` of a body shaped as a Standard Webhooks envelope `{ type, timestamp, data }`. */
export function envelopeType(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('data' in body)) return undefined;
  const type = (body as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

/**
 * The envelope's `type` and `data`; refused with `invalid-body` when the body is not an envelope, and with
 * `unexpected-type` when `expected` is not empty and does not hold its `type`.
 */
export function unwrapEnvelope(body: unknown, expected: readonly string[]): { type: string; data: unknown } {
  const type = envelopeType(body);
  if (type === undefined) {
    throw new WebhookVerificationError(
      'invalid-body',
      'The body is not a Standard Webhooks envelope { type, timestamp, data }; is the sender’s envelope option on?',
    );
  }
  if (expected.length > 0 && !expected.includes(type)) {
    throw new WebhookVerificationError(
      'unexpected-type',
      `The envelope's type is '${type}', but this handler expects ${expected.map((n) => `'${n}'`).join(' or ')}.`,
    );
  }
  return { type, data: (body as { data: unknown }).data };
}

/** The schema of the envelope around a payload, exactly as the client writes it. */
export function envelopeSchema(name: string, payload: ReferenceObject | SchemaObject): SchemaObject {
  return {
    type: 'object',
    properties: {
      type: { type: 'string', const: name, description: 'The webhook name.' },
      timestamp: { type: 'string', format: 'date-time', description: 'When the message was created.' },
      data: payload,
    },
    required: ['type', 'timestamp', 'data'],
  };
}
