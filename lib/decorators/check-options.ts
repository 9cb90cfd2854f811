import { WebhookDefinitionError } from '../errors';
import { checkOptionsObject } from '../options';

/**
 * Refuses decorator options that are not an object, and keys the decorator does not know, so a typo
 * (`summery`) fails with a did-you-mean instead of vanishing. `undefined` (no options) is accepted.
 */
export function checkDecoratorOptions(
  options: unknown,
  known: readonly string[],
  where: string,
  example: string,
): asserts options is Record<string, unknown> | undefined {
  if (options === undefined) return;
  checkOptionsObject(
    options,
    known,
    { where, fail: (code, message) => new WebhookDefinitionError(code, message) },
    example,
  );
}

/** `Subscription` for a class decorator target, `BillingWebhooks.paymentSuccess` for a member. */
export function memberName(target: object, propertyKey?: string | symbol): string {
  const cls = typeof target === 'function' ? target : target.constructor;
  return propertyKey === undefined ? cls.name : `${cls.name}.${String(propertyKey)}`;
}
