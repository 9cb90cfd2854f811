import { WebhookReceiverConfigError } from '../../errors';
import type { EnvelopeMode } from '../../envelope';
import type { VerifiedWebhook, WebhookHeaders, WebhookReceiver } from '../../receiver';
import type { ExecutionContext } from './nest-common';

/** What `WebhookGuard` reads from an HTTP request (Express or Fastify, as Nest gives it). */
export interface WebhookHttpRequest {
  readonly headers: WebhookHeaders;
  /** Set by Nest when the app is created with `{ rawBody: true }`. */
  readonly rawBody?: unknown;
  readonly body?: unknown;
  readonly method?: string;
  readonly url?: string;
}

/** A request that `WebhookGuard` verified, with what the param decorators need to build its payload. */
export interface VerifiedRequest {
  readonly message: VerifiedWebhook;
  readonly receiver: WebhookReceiver;
  readonly envelope: EnvelopeMode;
}

// Keyed by the request object, so nothing is added to it that a user could read, spoof or serialise.
const verifiedRequests = new WeakMap<object, VerifiedRequest>();

export function rememberVerifiedRequest(request: object, verified: VerifiedRequest): void {
  verifiedRequests.set(request, verified);
}

/** The verified request behind a param decorator, or an error that says which guard is missing. */
export function verifiedRequestOf(context: ExecutionContext, decorator: string): VerifiedRequest {
  const verified = verifiedRequests.get(context.switchToHttp().getRequest<object>());
  if (verified !== undefined) return verified;
  const route = `${context.getClass().name}.${context.getHandler().name}`;
  throw new WebhookReceiverConfigError(
    'webhook-guard-missing',
    `${decorator} on ${route}: the request was not verified by WebhookGuard. Add ` +
      '@UseGuards(WebhookGuard.with({ secret })) (or WebhookGuard with WEBHOOK_GUARD_OPTIONS provided) to the ' +
      'route or its controller.',
  );
}
