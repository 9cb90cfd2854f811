import { WebhookReceiverConfigError } from '../../errors';
import type { EnvelopeMode } from '../../envelope';
import { createWebhookReceiver } from '../../receiver';
import type { WebhookReceiver, WebhookReceiverOptions } from '../../receiver';
import type { SeenClaimReport } from '../../receiver/seen-claim';

/**
 * How `WebhookGuard` verifies requests: the options of every hookspec receiver. One of `secret`,
 * `secrets` or `publicKey` is required; they combine, and a signature by any of them is accepted.
 *
 * - `envelope: 'standard'`: `@WebhookPayload(Class)` checks the envelope's `type` and turns `data` into
 *   the instance.
 * - `webhooks: [OrderCreated, OrderRefunded]` (with `envelope: 'standard'`): `@WebhookPayload()` without
 *   a class gives the instance of the class the envelope's `type` names, and `@WebhookEventName()` that name.
 * - `limit`: a larger raw body is answered 413 `body-too-large`; Nest's own body parser (100 kB by default,
 *   `app.useBodyParser('json', { limit })`) applies before it.
 */
export interface WebhookGuardOptions extends WebhookReceiverOptions {
  /** The current time (for tests, or a trusted clock). Default: `Date.now()`. */
  now?: Date | number;
}

/**
 * The injection token of the `WebhookGuardOptions` that `@UseGuards(WebhookGuard)` reads, so that keys
 * can come from `ConfigService` or a vault:
 * `{ provide: WEBHOOK_GUARD_OPTIONS, inject: [ConfigService], useFactory: (config) => ({ secret: config.getOrThrow('WEBHOOK_SECRET') }) }`.
 */
export const WEBHOOK_GUARD_OPTIONS = Symbol.for('hookspec:webhook-guard-options');

/** The receiver a guard runs, and the envelope mode `@WebhookPayload(Class)` reads bodies with. */
export interface ResolvedGuardOptions {
  readonly receiver: WebhookReceiver;
  readonly envelope: EnvelopeMode;
}

const KEY_FIELDS = ['secret', 'secrets', 'publicKey'] as const;

/**
 * Route options over the injected ones. Keys go together: a route that names any key names all of
 * them, so a route with its own secret does not also accept the module's.
 */
export function mergeGuardOptions(
  injected: WebhookGuardOptions | undefined,
  route: WebhookGuardOptions,
): WebhookGuardOptions {
  const base: WebhookGuardOptions = { ...injected };
  if (KEY_FIELDS.some((field) => field in route)) for (const field of KEY_FIELDS) delete base[field];
  return { ...base, ...route };
}

/** Checks the options when Nest creates the guard, so that a missing or malformed key stops the app from starting. */
export function resolveGuardOptions(
  options: WebhookGuardOptions | undefined,
  reportForgetFailure: SeenClaimReport,
): ResolvedGuardOptions {
  if (typeof options !== 'object' || options === null) {
    throw new WebhookReceiverConfigError(
      'invalid-option',
      'WebhookGuard has no options: use @UseGuards(WebhookGuard.with({ secret })), or provide ' +
        'WEBHOOK_GUARD_OPTIONS in the module of the controller (useFactory with ConfigService, for instance).',
    );
  }
  const given = KEY_FIELDS.filter((field) => field in options);
  const noKey =
    `WebhookGuard has no key: ${given.length > 0 ? `${given.join(', ')} ${given.length > 1 ? 'are' : 'is'} undefined or empty` : "give secret ('whsec_…'), secrets or publicKey ('whpk_…')"}. ` +
    'A value read from process.env while the controller file loads is still undefined when @nestjs/config ' +
    'or dotenv sets it later; provide WEBHOOK_GUARD_OPTIONS with a factory that reads ConfigService instead.';
  const receiver = createWebhookReceiver(options, {
    where: 'WebhookGuard options',
    extraKeys: ['now'],
    noKey,
    reportForgetFailure,
  });
  return { receiver, envelope: options.envelope ?? 'none' };
}
