import { describeFailure } from '../../receiver';
import type { WebhookFailure } from '../../receiver';
import { HttpException } from './nest-common';

/**
 * The Nest exception for a hookspec receiving error, answered as every hookspec receiver answers it (the
 * core's status and `{ code, message, issues? }`) plus Nest's `statusCode`; anything else is returned
 * unchanged. A `replayed` id gets a 200: thrown from the guard, an exception is the way to answer without
 * running the handler, and Nest's exception filter sends it with its status.
 */
export function toHttpException(error: unknown): unknown {
  const failure = describeFailure(error);
  return failure === undefined ? error : failureException(failure, error);
}

export function failureException({ status, body }: WebhookFailure, cause?: unknown): HttpException {
  return new HttpException({ statusCode: status, ...body }, status, { cause });
}
