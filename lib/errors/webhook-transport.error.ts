import { HookspecError } from './hookspec.error';

/** The codes a `WebhookTransportError` is thrown with. */
export type WebhookTransportErrorCode =
  | 'ssrf-blocked'
  | 'invalid-url'
  | 'unsupported-protocol'
  | 'timeout'
  | 'aborted'
  | 'dns-failure'
  | 'connection-refused'
  | 'connection-reset'
  | 'network-error'
  | 'invalid-option';

/**
 * One delivery attempt could not get an HTTP response: refused by the SSRF guard, a bad URL, a timeout,
 * a network failure. `code` says which (`ssrf-blocked`, `invalid-url`, `unsupported-protocol`, `timeout`,
 * `dns-failure`, `connection-refused`, `connection-reset`, `network-error`); `method` and `url` say where
 * (the URL without its user info or query string, which may hold credentials).
 */
export class WebhookTransportError extends HookspecError<WebhookTransportErrorCode> {
  override name = 'WebhookTransportError';

  constructor(
    code: WebhookTransportErrorCode,
    message: string,
    readonly method: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${method} ${url}: ${message}`, options);
  }
}
