import type { ClassConstructor } from 'class-transformer';
import { WebhookDefinitionError } from '../../errors';
import { payloadFromBody } from '../../receiver';
import { createParamDecorator } from './nest-common';
import { verifiedRequestOf } from './verified-request';
import { toHttpException } from './webhook-http-exception';

export interface WebhookEventOptions {
  /**
   * With the `standard` envelope, the webhook name expected in `type`, for a payload class of a
   * method-style webhook. Default: the names the class's own `@Webhook` declares.
   */
  event?: string;
}

interface WebhookEventData {
  readonly type: ClassConstructor<object> | undefined;
  readonly event: string | undefined;
}

const webhookEventParam = createParamDecorator<WebhookEventData, unknown>(({ type, event }, context) => {
  const decorator = `@WebhookEvent(${type?.name ?? ''})`;
  const { message, parseOptions } = verifiedRequestOf(context, decorator);
  if (type === undefined) return message.body;
  // The guard verified the body; only parseWebhook's second half (envelope, transform, validation) is left.
  return payloadFromBody(type, message.body, {
    ...parseOptions,
    ...(event !== undefined ? { event } : {}),
  }).catch((error: unknown) => {
    throw toHttpException(error);
  });
});

const webhookIdParam = createParamDecorator<undefined, string>(
  (_data, context) => verifiedRequestOf(context, '@WebhookId()').message.id,
);

/**
 * The verified webhook, in a handler guarded by `WebhookGuard`.
 *
 * - `@WebhookEvent(Subscription) event: Subscription`: an instance built by class-transformer (dates
 *   become `Date`s) and checked by class-validator, as `parseWebhook` returns it; with the `standard`
 *   envelope, from `data`. An invalid payload is answered 400 `{ statusCode, code: 'invalid-payload',
 *   message, issues }`, and the handler does not run; with the guard's `seen`, that 400 gives the
 *   `webhook-id` back, so the sender's retry is processed.
 * - `@WebhookEvent() body: unknown`: the parsed JSON body as it was signed (with the envelope, all of it).
 */
export function WebhookEvent(type?: ClassConstructor<object>, options: WebhookEventOptions = {}): ParameterDecorator {
  if (type !== undefined && typeof type !== 'function') {
    throw new WebhookDefinitionError(
      'invalid-payload',
      `@WebhookEvent: expected a payload class or nothing, got ${JSON.stringify(type)}.`,
    );
  }
  return webhookEventParam({ type, event: options.event });
}

/** The verified `webhook-id`: the same on every retry of a message, so the key to drop duplicates with. */
export function WebhookId(): ParameterDecorator {
  return webhookIdParam();
}
