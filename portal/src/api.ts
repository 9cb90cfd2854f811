/*
 * The page's client of the management API. The API is mounted where the page is, minus `/portal`
 * (page `/webhooks/portal`, API `/webhooks/endpoints`, …); every call carries the portal token as a
 * bearer. Errors are the API's problem+json bodies, kept whole so that views can show `detail` and
 * mark the fields named in `errors`.
 */
import type { Problem } from './wire';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: readonly { readonly path: string; readonly message: string }[];

  constructor(problem: Problem) {
    super(problem.detail);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.fields = problem.errors ?? [];
  }

  /** The message for a field (`url`, `events[0]`, …), when the API named it. */
  fieldMessage(field: string): string | undefined {
    return this.fields.find((problem) => problem.path === field || problem.path.startsWith(`${field}[`))?.message;
  }
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
}

/** Where the API is mounted, from the page's own path. */
export function apiBase(pathname: string): string {
  return pathname.replace(/\/portal\/?$/, '');
}

export class PortalApi {
  constructor(
    private readonly base: string,
    private readonly token: string,
    /** Told of every 401: the token expired or is not valid, and the page must say so. */
    private readonly onUnauthorized: (error: ApiError) => void,
  ) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, query === undefined ? {} : { query });
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, { body });
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path, {});
  }

  async request<T>(method: string, path: string, { query, body }: RequestOptions): Promise<T> {
    const url = new URL(this.base + path, window.location.origin);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        credentials: 'omit',
        cache: 'no-store',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError({
        status: 0,
        code: 'network-error',
        detail: 'The server could not be reached. Check your connection and try again.',
      });
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.ok) return parsed as T;
    const error = new ApiError(asProblem(response.status, parsed));
    if (response.status === 401) this.onUnauthorized(error);
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function asProblem(status: number, body: unknown): Problem {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as Partial<Problem>;
  return {
    status,
    code: typeof problem.code === 'string' ? problem.code : 'http-error',
    detail:
      typeof problem.detail === 'string' ? problem.detail : `The server answered ${status} without an explanation.`,
    ...(Array.isArray(problem.errors) ? { errors: problem.errors } : {}),
  };
}
