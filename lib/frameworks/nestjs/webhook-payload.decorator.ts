import type { ClassConstructor } from 'class-transformer';
import { WebhookDefinitionError } from '../../errors';
import { payloadFromBody } from '../../receiver';
import { createParamDecorator } from './nest-common';
import { verifiedRequestOf } from './verified-request';
import { toHttpException } from './webhook-http-exception';

export interface WebhookPayloadOptions {
  /**
   * With the `standard` envelope, the webhook name expected in `type`, for a payload class of a
   * method-style webhook. Default: the names the class's own `@Webhook` declares.
   */
  event?: string;
}

interface WebhookPayloadData {
  readonly type: ClassConstructor<object> | undefined;
  readonly event: string | undefined;
}

const webhookPayloadParam = createParamDecorator<WebhookPayloadData, unknown>(async ({ type, event }, context) => {
  const { message, receiver, envelope } = verifiedRequestOf(context, `@WebhookPayload(${type?.name ?? ''})`);
  try {
    // The guard verified the body; only parseWebhook's second half (envelope, transform, validation) is left.
    if (type === undefined) return (await receiver.payloadOf(message.body)).payload;
    return await payloadFromBody(type, message.body, { envelope, ...(event !== undefined ? { event } : {}) });
  } catch (error) {
    throw toHttpException(error);
  }
});

const webhookEventNameParam = createParamDecorator<undefined, Promise<string | undefined>>(async (_data, context) => {
  const { message, receiver } = verifiedRequestOf(context, '@WebhookEventName()');
  try {
    return (await receiver.payloadOf(message.body)).event;
  } catch (error) {
    throw toHttpException(error);
  }
});

const webhookIdParam = createParamDecorator<undefined, string>(
  (_data, context) => verifiedRequestOf(context, '@WebhookId()').message.id,
);

/**
 * The verified payload, in a handler guarded by `WebhookGuard`.
 *
 * - `@WebhookPayload(Subscription) payload: Subscription`: an instance built by class-transformer (dates
 *   become `Date`s) and checked by class-validator, as `parseWebhook` returns it; with the `standard`
 *   envelope, from `data`. An invalid payload is answered 400 `{ statusCode, code: 'invalid-payload',
 *   message, issues }`, and the handler does not run; with the guard's `seen`, that 400 gives the
 *   `webhook-id` back, so the sender's retry is processed.
 * - `@WebhookPayload() payload`: with the guard's `webhook` or `webhooks`, the instance of the class the
 *   body is (several webhooks on one route: the one the envelope's `type` names); without them, the parsed
 *   JSON body as it was signed (with the envelope, all of it).
 */
export function WebhookPayload(
  type?: ClassConstructor<object>,
  options: WebhookPayloadOptions = {},
): ParameterDecorator {
  if (type !== undefined && typeof type !== 'function') {
    throw new WebhookDefinitionError(
      'invalid-payload',
      `@WebhookPayload: expected a payload class or nothing, got ${JSON.stringify(type)}.`,
    );
  }
  return webhookPayloadParam({ type, event: options.event });
}

/**
 * The webhook's name (the event): the envelope's `type`, or the name the guard's payload class declares;
 * undefined when the body does not say it. With several `webhooks` on one route, switch on it.
 */
export function WebhookEventName(): ParameterDecorator {
  return webhookEventNameParam();
}

/** The verified `webhook-id`: the same on every retry of a message, so the key to drop duplicates with. */
export function WebhookId(): ParameterDecorator {
  return webhookIdParam();
}
