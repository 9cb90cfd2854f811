import { describe } from '../options';

/*
 * The checks of an endpoint's URL and headers that do not depend on who asks: the client (endpoints given
 * as a list, or read from a store) and the writable endpoint stores (endpoints registered at run time)
 * refuse the same things with the same words, each with its own error class and a label of its own.
 */

/**
 * Headers the client writes itself, and the hop-by-hop headers that belong to the connection, not the
 * message (`expect`, `upgrade`, `keep-alive`, `te`, `trailer`, `proxy-connection`: undici refuses them,
 * and with axios they would change how the request is framed): an endpoint's `headers` may not set them.
 */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'content-type',
  'content-length',
  'user-agent',
  'host',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'proxy-connection',
]);

/** An HTTP header name: a token (RFC 9110, section 5.6.2). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** What is wrong with an endpoint field, to be thrown by the caller with its own error class and label. */
export interface EndpointFieldProblem {
  readonly code: 'invalid-endpoint' | 'reserved-header';
  /** Says what is wrong and the fix; never holds a header value. Prefixed by the caller's label and ': '. */
  readonly message: string;
}

/** Whether `url` is an absolute `http:` or `https:` URL; the problem's message otherwise. */
export function findUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the url is not a valid absolute URL.';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `only http: and https: URLs receive webhooks, not ${parsed.protocol}.`;
  }
  return undefined;
}

/**
 * Header names must be HTTP tokens and values must hold no CR, LF or NUL: Node and axios would refuse
 * or silently rewrite them on the wire, so the receiver would get something else than configured.
 * The values are never shown: they are often API keys.
 */
export function findHeadersProblem(headers: unknown): EndpointFieldProblem | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    return { code: 'invalid-endpoint', message: 'headers must be an object of name: value.' };
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) {
      return {
        code: 'invalid-endpoint',
        message:
          `headers has the name ${JSON.stringify(name)}, which is not an HTTP header name ` +
          "(letters, digits and !#$%&'*+-.^_`|~ only, no spaces or colons).",
      };
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      return {
        code: 'reserved-header',
        message: `headers may not set '${name}'; the client writes it itself, or it belongs to the connection.`,
      };
    }
    if (typeof value !== 'string') {
      return { code: 'invalid-endpoint', message: `headers['${name}'] must be a string, got ${describe(value)}.` };
    }
    if (/[\r\n\0]/.test(value)) {
      return {
        code: 'invalid-endpoint',
        message:
          `headers['${name}'] holds a line break (CR or LF) or a NUL, which would be altered or split ` +
          'on the wire. Remove it from the value.',
      };
    }
  }
  return undefined;
}
