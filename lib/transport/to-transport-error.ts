import { WebhookTransportError } from '../errors';
import { AddressRefusedError } from './address-policy';
import type { AttemptDeadline } from './attempt-deadline';

/** Where and how an attempt ran, to name the failure. */
export interface AttemptContext {
  method: string;
  /** Already redacted (see `redactUrl`). */
  url: string;
  host: string;
  timeoutMs: number;
  deadline: AttemptDeadline;
}

const DNS_FAILURES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
// EPIPE: the receiver closed the connection while the request was still being written;
// UND_ERR_SOCKET: undici's "other side closed", the same event seen from its parser.
const RESETS = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
// ETIMEDOUT: the operating system gave up connecting; ECONNABORTED: an axios timeout that an
// interceptor set, although the transport's own deadline is the signal; UND_ERR_*_TIMEOUT: undici's own
// timers, which the undici transport turns off in favour of the deadline.
const TIMEOUTS = new Set([
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

// undici's own words for an attempt in flight when the transport closed its pools.
const CLOSED = new Set(['UND_ERR_DESTROYED', 'UND_ERR_CLOSED']);

/**
 * Names why an attempt got no HTTP response. The message says method and URL; it never includes
 * headers or body (signatures). Nor does the cause: it is the underlying Node error, never an
 * AxiosError, whose `config` holds the request headers for any logger that prints it.
 */
export function toTransportError(error: unknown, context: AttemptContext): WebhookTransportError {
  if (error instanceof WebhookTransportError) return error;
  const { method, url } = context;
  const chain = causesOf(error);
  const refusal = chain.find((link) => link instanceof AddressRefusedError);
  if (refusal) return new WebhookTransportError('ssrf-blocked', refusal.message, method, url, { cause: refusal });

  const { aborted, reason, timedOut } = context.deadline;
  if (aborted) {
    if (timedOut) {
      return new WebhookTransportError(
        'timeout',
        `no complete response within ${context.timeoutMs} ms (one deadline for connect, headers and body)`,
        method,
        url,
        { cause: reason },
      );
    }
    return new WebhookTransportError('aborted', 'the attempt was aborted by the caller', method, url, {
      cause: reason,
    });
  }

  const root = chain.find((link) => !isAxiosError(link));
  const code = chain.map(codeOf).find((candidate) => candidate !== undefined);
  const options = root === undefined ? {} : { cause: root };
  if (code !== undefined && DNS_FAILURES.has(code)) {
    return new WebhookTransportError('dns-failure', `cannot resolve ${context.host} (${code})`, method, url, options);
  }
  if (code === 'ECONNREFUSED') {
    return new WebhookTransportError('connection-refused', 'connection refused (ECONNREFUSED)', method, url, options);
  }
  if (code !== undefined && RESETS.has(code)) {
    return new WebhookTransportError(
      'connection-reset',
      `the connection was closed before a complete response (${code})`,
      method,
      url,
      options,
    );
  }
  if (code !== undefined && TIMEOUTS.has(code)) {
    return new WebhookTransportError('timeout', `timed out (${code})`, method, url, options);
  }
  if (code !== undefined && CLOSED.has(code)) {
    return new WebhookTransportError('network-error', 'the transport is closed', method, url, options);
  }
  const detail = root instanceof Error ? root.message : String(error);
  return new WebhookTransportError(
    'network-error',
    code === undefined ? detail : `${detail} (${code})`,
    method,
    url,
    options,
  );
}

/** The error, its causes, and the errors of an AggregateError (Node's happy-eyeballs connect). */
function causesOf(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && chain.length < 16) {
    const link = pending.shift();
    if (link === undefined || link === null || chain.includes(link)) continue;
    chain.push(link);
    if (link instanceof Error) {
      pending.push(link.cause);
      if (link instanceof AggregateError) pending.push(...(link.errors as unknown[]));
    }
  }
  return chain;
}

function codeOf(link: unknown): string | undefined {
  if (typeof link !== 'object' || link === null || !('code' in link)) return undefined;
  const code = (link as { code?: unknown }).code;
  return typeof code === 'string' && code !== 'ERR_CANCELED' ? code : undefined;
}

/**
 * axios's own test (`error.isAxiosError === true`), written here so that this module does not load
 * axios: a program that only receives or documents webhooks never needs it.
 */
function isAxiosError(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { isAxiosError?: unknown }).isAxiosError === true;
}
