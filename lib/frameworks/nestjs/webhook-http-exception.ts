import { WebhookValidationError, WebhookVerificationError } from '../../errors';
import type { ValidationIssue, VerificationFailure } from '../../errors';
import { DUPLICATE_ACKNOWLEDGED } from '../../receiver/receiver-core';
import { BadRequestException, HttpException, InternalServerErrorException, UnauthorizedException } from './nest-common';

/**
 * The JSON body of a refusal (or of the 200 that acknowledges a duplicate): Nest's `statusCode`, a stable
 * `code`, a message; never a key, a signature or the body.
 */
interface WebhookErrorBody {
  readonly statusCode: number;
  readonly code: VerificationFailure | 'invalid-payload';
  readonly message: string;
  /** With `invalid-payload`: every failing property path and the rules it broke. */
  readonly issues?: readonly ValidationIssue[];
}

// As the Express and Fastify adapters answer: 401 says "not from your sender" (or not now); 400 says
// "from your sender, but not a payload I take"; 500 says "this receiver is misconfigured". A `replayed`
// id is no refusal: it is acknowledged with 200 (see verificationException).
const STATUS: Readonly<Record<Exclude<VerificationFailure, 'replayed'>, 400 | 401 | 500>> = {
  'missing-header': 401,
  'invalid-timestamp': 401,
  'timestamp-too-old': 401,
  'timestamp-too-new': 401,
  'invalid-signature': 401,
  'invalid-body': 400,
  'unexpected-type': 400,
  'raw-body-required': 500,
  'invalid-secret': 500,
};

const EXCEPTION = {
  400: BadRequestException,
  401: UnauthorizedException,
  500: InternalServerErrorException,
} as const;

/** The Nest exception for a hookspec receiving error; anything else is returned unchanged. */
export function toHttpException(error: unknown): unknown {
  if (error instanceof WebhookValidationError) {
    const body: WebhookErrorBody = {
      statusCode: 400,
      code: 'invalid-payload',
      message:
        `The webhook payload is not a valid ${error.payloadName}: ` +
        error.issues
          .map((issue) => `${issue.path || '(the payload)'}: ${Object.values(issue.constraints).join('; ')}`)
          .join(' | '),
      issues: error.issues,
    };
    return new BadRequestException(body, { cause: error });
  }
  if (!(error instanceof WebhookVerificationError)) return error;
  return verificationException(error.code, error.message, error);
}

/**
 * The Nest exception that answers a verification failure. A `replayed` id gets a 200 `{ statusCode, code,
 * message }` instead: Standard Webhooks receivers acknowledge a duplicate, so that the sender stops
 * retrying, and the handler does not run again. (Thrown from the guard, it is the way to answer without
 * running the handler; Nest's exception filter sends it with its status.)
 */
export function verificationException(code: VerificationFailure, message: string, cause?: unknown): HttpException {
  if (code === 'replayed') {
    const acknowledged: WebhookErrorBody = { statusCode: 200, ...DUPLICATE_ACKNOWLEDGED };
    return new HttpException(acknowledged, 200, { cause });
  }
  const statusCode = STATUS[code] ?? 400;
  const body: WebhookErrorBody = { statusCode, code, message };
  return new EXCEPTION[statusCode](body, { cause });
}
