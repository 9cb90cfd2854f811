import { ServerResponse } from 'node:http';
import { WebhookReceiverConfigError } from '../../errors';
import { bodyTooLarge, rawBodyRequired } from '../../receiver';
import { Inject, Injectable, Logger, mixin, Optional } from './nest-common';
import type { CanActivate, ExecutionContext, HttpException, Type } from './nest-common';
import type { WebhookHttpRequest } from './verified-request';
import { rememberVerifiedRequest } from './verified-request';
import { failureException, toHttpException } from './webhook-http-exception';
import { mergeGuardOptions, resolveGuardOptions, WEBHOOK_GUARD_OPTIONS } from './webhook-guard-options';
import type { ResolvedGuardOptions, WebhookGuardOptions } from './webhook-guard-options';

/**
 * Verifies a Standard Webhooks request before the handler runs: headers, timestamp, signature over
 * `req.rawBody` (the app must be created with `{ rawBody: true }`) and, with `seen`, duplicates. A refused
 * request gets a JSON error `{ statusCode, code, message }` with the status every hookspec receiver
 * gives: 401 (`invalid-signature`, `timestamp-too-old`, `missing-header`, …), 400 (`invalid-body`,
 * `invalid-payload` from `@WebhookPayload`), 413 (`body-too-large`), 500 (`raw-body-required`).
 *
 * With `seen`, a `webhook-id` already accepted is answered 200 `{ statusCode: 200, code: 'replayed',
 * message }` (the duplicate is acknowledged, so the sender stops retrying) and the handler does not run.
 * The id is claimed here, and forgotten again when the response is not a 2xx (an invalid payload, a
 * handler that throws, an exception filter's error), so that the sender's retry is processed.
 *
 * - `@UseGuards(WebhookGuard.with({ secret }))` gives the options on the route.
 * - `@UseGuards(WebhookGuard)` reads them from the `WEBHOOK_GUARD_OPTIONS` provider.
 *
 * Read the request in the handler with `@WebhookPayload(PayloadClass)`, `@WebhookPayload()`,
 * `@WebhookEventName()` and `@WebhookId()`.
 */
@Injectable()
export class WebhookGuard implements CanActivate {
  private readonly options: ResolvedGuardOptions;
  private readonly logger = new Logger('WebhookGuard');
  private rawBodyReported = false;

  constructor(@Optional() @Inject(WEBHOOK_GUARD_OPTIONS) options?: WebhookGuardOptions) {
    this.options = resolveGuardOptions(options, (error, id) => this.reportForgetFailure(error, id));
  }

  /**
   * A guard class with these options, laid over those of `WEBHOOK_GUARD_OPTIONS` when it is
   * provided (a route that names a key replaces all of the provider's keys).
   */
  static with(options: WebhookGuardOptions): Type<WebhookGuard> {
    class ConfiguredWebhookGuard extends WebhookGuard {
      constructor(@Optional() @Inject(WEBHOOK_GUARD_OPTIONS) injected?: WebhookGuardOptions) {
        super(mergeGuardOptions(injected, options));
      }
    }
    return mixin(ConfiguredWebhookGuard);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      throw new WebhookReceiverConfigError(
        'unsupported-context',
        `WebhookGuard on ${routeName(context)} guards HTTP routes only, not ${context.getType()}.`,
      );
    }
    const request = context.switchToHttp().getRequest<WebhookHttpRequest>();
    const rawBody = readRawBody(request);
    if (rawBody === undefined) throw this.rawBodyMissing(request);
    const { receiver, envelope } = this.options;
    if (rawBody.byteLength > receiver.limit) throw failureException(bodyTooLarge(receiver.limit));
    // Whoever answers after the guard (the handler, @WebhookPayload's 400, an exception filter), the id is
    // forgotten unless that answer is a 2xx. Without a Node response to watch, the id stays claimed.
    const response = rawResponseOf(context.switchToHttp().getResponse<unknown>());
    try {
      const message = await receiver.verify(rawBody, request.headers, response);
      // The payload is built later from the verified body, by a param decorator.
      rememberVerifiedRequest(request, { message, receiver, envelope });
      return true;
    } catch (error) {
      throw toHttpException(error);
    }
  }

  private reportForgetFailure(error: unknown, id: string): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error(
      `seen.forget(${JSON.stringify(id)}) failed (${reason}): the id stays claimed until its TTL, and the ` +
        "sender's retries of this message are acknowledged as duplicates without being processed.",
    );
  }

  private rawBodyMissing(request: WebhookHttpRequest): HttpException {
    // Without the query string, which may carry a token, since the message is logged too.
    const route = `${request.method ?? 'POST'} ${(request.url ?? '').split('?')[0]}`.trim();
    const message =
      `${route}: the raw request body is missing, and a signature can only be checked against the exact bytes ` +
      'that were signed. Create the app with NestFactory.create(AppModule, { rawBody: true }) (in tests, ' +
      'moduleRef.createNestApplication({ rawBody: true })): Nest then keeps the bytes of JSON bodies as req.rawBody. ' +
      "With bodyParser: false, parse this route with express.raw({ type: 'application/json' }) instead.";
    if (!this.rawBodyReported) {
      this.rawBodyReported = true;
      this.logger.error(message);
    }
    return failureException(rawBodyRequired(message));
  }
}

/** Nest's `req.rawBody`, or the bytes that a raw body parser (`express.raw()`) left as `req.body`. */
function readRawBody(request: WebhookHttpRequest): Uint8Array | undefined {
  return [request.rawBody, request.body].find((candidate): candidate is Uint8Array => candidate instanceof Uint8Array);
}

/** The Node response under Nest's: Express's response is one, Fastify's reply holds it as `raw`. */
function rawResponseOf(response: unknown): ServerResponse | undefined {
  const raw = (response as { raw?: unknown } | null | undefined)?.raw ?? response;
  return raw instanceof ServerResponse ? raw : undefined;
}

function routeName(context: ExecutionContext): string {
  return `${context.getClass().name}.${context.getHandler().name}`;
}
