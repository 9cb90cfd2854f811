/*
 * The checks of a WebhookAdmin call's own arguments: what the caller sent (through the HTTP API, a
 * customer), so every problem is `invalid-request` and names the argument.
 */
import { MAX_OWNER_LENGTH } from '../client';
import { WebhookAdminError } from '../errors';
import { checkOptionsObject, describe } from '../options';
import { requestScope } from './admin-errors';
import type { OwnerScope } from './webhook-admin-options';

/**
 * The scope is required and explicit: `undefined` would read "every owner" to a store's query, so it is
 * refused rather than taken for `null`.
 */
export function checkScope(owner: unknown, where: string): asserts owner is OwnerScope {
  if (owner === null) return;
  if (typeof owner !== 'string' || owner === '' || owner.length > MAX_OWNER_LENGTH) {
    throw new WebhookAdminError(
      'invalid-request',
      `${where}: the owner scope is a customer or account id (a non-empty string of at most ${MAX_OWNER_LENGTH} ` +
        `characters) or null for the endpoints and messages without an owner; got ${describe(owner)}.`,
    );
  }
}

export function checkId(id: unknown, kind: string, where: string): asserts id is string {
  if (typeof id !== 'string' || id === '') {
    throw new WebhookAdminError(
      'invalid-request',
      `${where}: the ${kind} id must be a non-empty string, got ${describe(id)}.`,
    );
  }
}

/** `{ since, until? }` in epoch milliseconds, `since < until`. */
export function checkWindow(window: unknown, where: string): { since: number; until: number | undefined } {
  const scope = requestScope(where);
  checkOptionsObject(window, ['since', 'until'], scope, '{ since: Date.now() - 86400000 }');
  const epoch = (value: unknown): value is number =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  const { since, until } = window;
  if (!epoch(since) || (until !== undefined && !epoch(until))) {
    throw scope.fail(
      'invalid-option',
      `${where}: since (and until, when given) must be times in epoch milliseconds, got since ${describe(since)}` +
        `${until !== undefined ? ` and until ${describe(until)}` : ''}.`,
    );
  }
  if (until !== undefined && until <= since) {
    throw scope.fail('invalid-option', `${where}: until (${until}) must be after since (${since}).`);
  }
  return { since, until };
}

export function unknownEvent(where: string, event: unknown, names: readonly string[]): WebhookAdminError {
  return new WebhookAdminError(
    'unknown-event',
    `${where}: ${describe(event)} is not one of this client's webhooks (${[...names]
      .sort()
      .map((name) => `'${name}'`)
      .join(', ')}).`,
  );
}
