import { HookspecError } from './hookspec.error';

/** The codes a `WebhookAdminError` is thrown with, and the HTTP status the management API answers for each. */
export const WEBHOOK_ADMIN_ERROR_STATUS = {
  'unknown-option': 500,
  'invalid-option': 500,
  unsupported: 501,
  unauthorized: 401,
  forbidden: 403,
  'invalid-request': 400,
  'invalid-cursor': 400,
  'invalid-endpoint': 422,
  'reserved-header': 422,
  'unknown-event': 422,
  'ssrf-blocked': 422,
  'unknown-endpoint': 404,
  'unknown-message': 404,
  'not-found': 404,
  'method-not-allowed': 405,
  'duplicate-endpoint': 409,
  'payload-erased': 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
} as const;

export type WebhookAdminErrorCode = keyof typeof WEBHOOK_ADMIN_ERROR_STATUS;

/**
 * A management call was refused. `code` says why and maps to one HTTP status (`WEBHOOK_ADMIN_ERROR_STATUS`)
 * that the management API answers as `application/problem+json`. An endpoint or message of another owner
 * is `unknown-endpoint`/`unknown-message`, exactly as one that does not exist: an owner learns nothing of
 * another's. `details` lists field-level problems of a request (`invalid-request`).
 */
export class WebhookAdminError extends HookspecError<WebhookAdminErrorCode> {
  override name = 'WebhookAdminError';

  constructor(
    code: WebhookAdminErrorCode,
    message: string,
    options?: { cause?: unknown; details?: readonly { readonly path: string; readonly message: string }[] },
  ) {
    super(code, message, options);
    this.details = options?.details ?? [];
  }

  readonly details: readonly { readonly path: string; readonly message: string }[];

  /** The HTTP status the management API answers with. */
  get status(): number {
    return WEBHOOK_ADMIN_ERROR_STATUS[this.code];
  }
}
