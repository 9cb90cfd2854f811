import { HookspecError } from './hookspec.error';

/** One failing property of a payload: its path from the payload root and the rules it broke. */
export interface ValidationIssue {
  /** `monthly_fee`, `lines[2].sku`, or `` for the payload itself. */
  readonly path: string;
  /** class-validator's messages by rule name, e.g. `{ isNumber: 'monthly_fee must be a number …' }`. */
  readonly constraints: Readonly<Record<string, string>>;
}

/** The one code a `WebhookValidationError` is thrown with. */
export type WebhookValidationErrorCode = 'invalid-payload';

/**
 * A payload failed class-validator: every failing property is listed in `issues` and in the message.
 * On the sending side nothing was queued or sent; on the receiving side the webhook was not accepted.
 */
export class WebhookValidationError extends HookspecError<WebhookValidationErrorCode> {
  override name = 'WebhookValidationError';

  constructor(
    /** The payload class, e.g. `Subscription`. */
    readonly payloadName: string,
    readonly issues: readonly ValidationIssue[],
    context: string,
    /** What the failure meant, e.g. `nothing was sent` or `the webhook was not accepted`. */
    consequence: string,
  ) {
    super(
      'invalid-payload',
      `${context}: ${payloadName} is invalid; ${consequence}. ` +
        issues
          .map((issue) => `${issue.path || '(the payload)'}: ${Object.values(issue.constraints).join('; ')}`)
          .join(' | '),
    );
  }
}
