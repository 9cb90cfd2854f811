import type { ClassConstructor } from 'class-transformer';
import { WebhookAdminError } from '../errors';
import { describe } from '../options';
import { findTooDeep, instanceFromPlain } from '../payload';
import { toAdminError } from './admin-errors';
import type { EventType } from './event-types';

/** The instance `sendExample` sends: the webhook's example, or `invalid-request` saying how to declare one. */
export function exampleInstance(type: EventType, where: string): object {
  if (!type.example) {
    const name = type.definition.name;
    throw new WebhookAdminError(
      'invalid-request',
      `${where}: '${name}' has no example: none is declared and none generated from its schema passes its ` +
        `validation. Declare one with @Webhook('${name}', { examples: { … } }), or give a payload.`,
    );
  }
  return type.example.instance();
}

/** A plain JSON payload (in the body's shape) as an instance of the payload class; `send()` validates it. */
export function fromPlain(type: EventType, payload: unknown, where: string): object {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new WebhookAdminError(
      'invalid-request',
      `${where}: payload must be a JSON object in the shape of ${type.definition.payload.name}, got ${describe(payload)}.`,
      { details: [{ path: 'payload', message: 'must be an object' }] },
    );
  }
  const tooDeep = findTooDeep(payload);
  if (tooDeep !== undefined) {
    throw new WebhookAdminError('invalid-request', `${where}: payload nests too deeply at ${tooDeep}.`, {
      details: [{ path: `payload.${tooDeep}`, message: 'nested too deeply' }],
    });
  }
  return mappedSync(() => instanceFromPlain(type.definition.payload as ClassConstructor<object>, payload));
}

function mappedSync<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw toAdminError(error);
  }
}
