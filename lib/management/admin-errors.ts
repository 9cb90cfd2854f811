/*
 * The one mapping of what the parts under WebhookAdmin throw (the endpoint store, the queue, the client's
 * send, the URL check, class-validator) to WebhookAdminError codes, so the HTTP layer sees one error class.
 * What maps to no code (a store or queue that failed, a closed client) is rethrown as it is: the HTTP
 * layer answers it 500 without saying anything internal.
 */
import {
  DeliveryQueueError,
  EndpointStoreError,
  WebhookAdminError,
  WebhookSendError,
  WebhookTransportError,
  WebhookValidationError,
  WebhookVerificationError,
} from '../errors';
import type { WebhookAdminErrorCode } from '../errors';
import { describe } from '../options';
import type { OptionScope } from '../options';
import type { OwnerScope } from './webhook-admin-options';

const STORE_CODES: Partial<Record<EndpointStoreError['code'], WebhookAdminErrorCode>> = {
  'invalid-endpoint': 'invalid-endpoint',
  'reserved-header': 'reserved-header',
  'duplicate-endpoint': 'duplicate-endpoint',
  'unknown-endpoint': 'unknown-endpoint',
  'invalid-query': 'invalid-request',
  'invalid-cursor': 'invalid-cursor',
  // The admin passes its own options right: a bad one came from the caller (a reason, a secret).
  'invalid-option': 'invalid-request',
  'unknown-option': 'invalid-request',
};

const QUEUE_CODES: Partial<Record<DeliveryQueueError['code'], WebhookAdminErrorCode>> = {
  'invalid-query': 'invalid-request',
  'invalid-cursor': 'invalid-cursor',
};

const SEND_CODES: Partial<Record<WebhookSendError['code'], WebhookAdminErrorCode>> = {
  'unknown-endpoint': 'unknown-endpoint',
  'unknown-message': 'unknown-message',
  'payload-too-large': 'payload-too-large',
  'invalid-option': 'invalid-request',
  unsupported: 'unsupported',
};

const URL_CODES: Partial<Record<WebhookTransportError['code'], WebhookAdminErrorCode>> = {
  'ssrf-blocked': 'ssrf-blocked',
  'invalid-url': 'invalid-endpoint',
  'unsupported-protocol': 'invalid-endpoint',
  'dns-failure': 'invalid-endpoint',
};

/** `error` as a WebhookAdminError when it has a code there; otherwise `error` itself, to be rethrown. */
export function toAdminError(error: unknown): unknown {
  if (error instanceof WebhookAdminError) return error;
  if (error instanceof WebhookValidationError) {
    return new WebhookAdminError('invalid-request', error.message, {
      cause: error,
      details: error.issues.map((issue) => ({
        path: issue.path,
        message: Object.values(issue.constraints).join('; '),
      })),
    });
  }
  const code =
    error instanceof EndpointStoreError
      ? STORE_CODES[error.code]
      : error instanceof DeliveryQueueError
        ? QUEUE_CODES[error.code]
        : error instanceof WebhookSendError
          ? SEND_CODES[error.code]
          : error instanceof WebhookTransportError
            ? URL_CODES[error.code]
            : error instanceof WebhookVerificationError && error.code === 'invalid-body'
              ? 'invalid-request'
              : undefined;
  return code === undefined ? error : new WebhookAdminError(code, (error as Error).message, { cause: error });
}

/**
 * A registration's URL refused by the SSRF check, worded for registration: the transport's message says
 * `POST <url>: …` as for an attempt; here it is the URL that was refused, and where.
 */
export function urlRefusal(where: string, error: unknown): unknown {
  const mappedError = toAdminError(error);
  if (!(error instanceof WebhookTransportError) || !(mappedError instanceof WebhookAdminError)) return mappedError;
  const prefix = `${error.method} ${error.url}: `;
  const reason = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return new WebhookAdminError(mappedError.code, `${where}: the url ${error.url} is refused: ${reason}`, {
    cause: error,
    details: [{ path: 'url', message: reason }],
  });
}

/** Runs `work`, throwing what it throws as a WebhookAdminError wherever one has a code for it. */
export async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toAdminError(error);
  }
}

/** How an owner scope reads in messages. */
function whose(owner: OwnerScope): string {
  return owner === null ? 'without an owner' : `of owner ${describe(owner)}`;
}

/** A missing endpoint and another owner's read alike: an owner learns nothing of another's. */
export function unknownEndpoint(where: string, owner: OwnerScope, id: string): WebhookAdminError {
  return new WebhookAdminError(
    'unknown-endpoint',
    `${where}: there is no endpoint ${describe(id)} ${whose(owner)}. List the owner's endpoints for their ids.`,
  );
}

/** A missing message and another owner's read alike. */
export function unknownMessage(where: string, owner: OwnerScope, id: string): WebhookAdminError {
  return new WebhookAdminError(
    'unknown-message',
    `${where}: there is no message ${describe(id)} ${whose(owner)}. List the owner's messages for their ids.`,
  );
}

/** Where a call's arguments are checked: their problems are the caller's request, `invalid-request`. */
export function requestScope(where: string): OptionScope {
  return {
    where,
    fail: (_code, message) => new WebhookAdminError('invalid-request', message),
  };
}
