import { WebhookDefinitionError } from '../errors';

/** Rejects option keys that a decorator does not know, so a typo (`summery`) fails instead of vanishing. */
export function checkOptionKeys(
  options: unknown,
  known: readonly string[],
  where: string,
): asserts options is Record<string, unknown> | undefined {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new WebhookDefinitionError(
      'invalid-options',
      `${where}: options must be an object, got ${JSON.stringify(options)}.`,
    );
  }
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new WebhookDefinitionError(
      'unknown-option',
      `${where}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}. ` +
        `Known options: ${known.join(', ')}.`,
    );
  }
}

/** `Subscription` for a class decorator target, `BillingWebhooks.paymentSuccess` for a member. */
export function memberName(target: object, propertyKey?: string | symbol): string {
  const cls = typeof target === 'function' ? target : target.constructor;
  return propertyKey === undefined ? cls.name : `${cls.name}.${String(propertyKey)}`;
}
