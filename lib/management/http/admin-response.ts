import { STATUS_CODES } from 'node:http';
import type { ServerResponse } from 'node:http';
import { WebhookAdminError } from '../../errors';
import type { WebhookAdminErrorCode } from '../../errors';
import type { FieldProblem } from './read-dto';

/** An answer of the management API: the status, its headers, and the JSON body (none for 204). */
export interface AdminResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** The body as bytes to send as they are, instead of JSON: the portal's page and its assets. */
  readonly raw?: Buffer;
}

/** The bytes an answer sends, if any. */
export function responseBytes(response: AdminResponse): Buffer | undefined {
  if (response.raw !== undefined) return response.raw;
  return response.body === undefined ? undefined : Buffer.from(JSON.stringify(response.body), 'utf8');
}

/** The `code` of a problem: a `WebhookAdminError` code, or `internal-error` for anything else. */
export type AdminProblemCode = WebhookAdminErrorCode | 'internal-error';

/** An RFC 9457 problem details body, as the management API answers every error. */
export interface AdminProblem {
  /** Always `about:blank`: the HTTP status says what the problem is, and `code` tells problems apart. */
  readonly type: 'about:blank';
  /** The status's reason phrase, as RFC 9457 asks of `about:blank`. */
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: AdminProblemCode;
  /** Each invalid field, for `invalid-request`. */
  readonly errors?: readonly FieldProblem[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Answers carry endpoint secrets and customer data: no cache may keep them. */
const NO_STORE = { 'cache-control': 'no-store' };

const INTERNAL_DETAIL = 'The server could not complete the request. The error was reported to its operators.';

export function jsonResponse(status: number, body: unknown): AdminResponse {
  if (body === undefined) return { status, headers: { ...NO_STORE } };
  return { status, headers: { 'content-type': JSON_CONTENT_TYPE, ...NO_STORE }, body };
}

export function problemResponse(
  status: number,
  code: AdminProblemCode,
  detail: string,
  options: { errors?: readonly FieldProblem[]; headers?: Readonly<Record<string, string>> } = {},
): AdminResponse {
  const problem: AdminProblem = {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(options.errors !== undefined && options.errors.length > 0 ? { errors: options.errors } : {}),
  };
  return {
    status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...NO_STORE, ...options.headers },
    body: problem,
  };
}

/**
 * The problem for an error: a `WebhookAdminError` answers its own status, message and details; anything
 * else (and an admin error that is a server fault, such as a bad option) is a 500 whose body says
 * nothing of it, and is handed to `report`.
 */
export function problemFromError(error: unknown, report: (error: unknown) => void): AdminResponse {
  if (error instanceof WebhookAdminError && error.status < 500) {
    return problemResponse(error.status, error.code, error.message, { errors: error.details });
  }
  report(error);
  return problemResponse(500, 'internal-error', INTERNAL_DETAIL);
}

/** Writes an answer to a Node response (Express, Nest on Express, Fastify's `reply.raw`). */
export function writeAdminResponse(res: ServerResponse, response: AdminResponse): void {
  const bytes = responseBytes(response);
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (bytes !== undefined) res.setHeader('content-length', bytes.length);
  res.end(bytes);
}
