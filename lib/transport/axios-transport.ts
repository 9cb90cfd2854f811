import type { AxiosResponse, AxiosStatic } from 'axios';
import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { WebhookClientConfigError, WebhookTransportError } from '../errors';
import { countOf, type OptionScope } from '../options';
import { AddressPolicy } from './address-policy';
import { flattenHeaders, METHOD, refuseLiteralTarget } from './attempt-checks';
import type { AttemptDeadline } from './attempt-deadline';
import { createTransportAgents } from './guarded-agents';
import { readCappedBody } from './read-capped-body';
import { parseTarget } from './target-url';
import { runAttempt } from './run-attempt';
import type { AxiosTransportOptions, Transport, TransportRequest, TransportResponse } from './transport';

/** Default of `maxResponseBytes`: the 20 kB of a response that DESIGN.md says are read and kept. */
export const DEFAULT_MAX_RESPONSE_BYTES = 20 * 1024;

/** Where a transport's options are read when no client passes its own scope. */
const TRANSPORT_SCOPE: OptionScope = {
  where: 'createAxiosTransport(options)',
  fail: (code, message) => new WebhookClientConfigError(code, message),
};

/**
 * A transport that sends each attempt with axios, through agents that carry the SSRF guard. It never
 * follows redirects, treats every status as a response, enforces one deadline over the whole attempt
 * and reads at most `maxResponseBytes` of the body. A bad option throws `scope.fail(…)`: the client
 * passes its own scope, so the error names `new WebhookClient(options)`.
 */
export function createAxiosTransport(
  options: AxiosTransportOptions = {},
  scope: OptionScope = TRANSPORT_SCOPE,
): Transport {
  const maxResponseBytes = countOf(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes', scope);
  const policy = options.ssrfGuard === false ? undefined : new AddressPolicy(options.allowNetworks ?? [], scope);
  const agents = createTransportAgents({
    policy,
    lookup: options.lookup ?? dnsLookup,
    keepAlive: options.keepAlive ?? true,
  });
  // Loaded on first use, so that a program that only documents webhooks never loads axios.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const instance = options.axios ?? (require('axios') as AxiosStatic).create();
  const proxy = options.proxy ?? false;
  let closed = false;

  async function send(request: TransportRequest): Promise<TransportResponse> {
    const target = parseTarget(request.url, METHOD);
    if (closed) throw new WebhookTransportError('network-error', 'the transport is closed', METHOD, target.safeUrl);
    // Behind a proxy the agents see the proxy's address, not the target's: judge a literal target here.
    if (policy && proxy !== false) refuseLiteralTarget(policy, target);

    return runAttempt(request, target, async (deadline, started) => {
      const response: AxiosResponse<Readable> = await deadline.race(
        instance.request<Readable>({
          url: target.url.href,
          method: METHOD,
          // Not copied: axios merges the headers into a new object of its own and never writes to this one.
          headers: request.headers,
          // The signed bytes must go out unchanged. A Buffer passes axios's default transformRequest
          // untouched; a string with a JSON content type would be trimmed, or JSON-quoted if it did not parse.
          data: Buffer.from(request.body, 'utf8'),
          responseType: 'stream',
          // Set per request, so they override whatever the user's instance has as defaults: the fetch
          // adapter, HTTP/2, a custom transport or a socket path would each bypass the guarded agents.
          // The transport is Node's own http(s).request, as axios picks without redirects, with the
          // deadline holding each request it creates.
          adapter: 'http',
          httpVersion: 1,
          transport: new DeadlineTransport(deadline),
          socketPath: null,
          httpAgent: agents.http,
          httpsAgent: agents.https,
          proxy,
          maxRedirects: 0,
          validateStatus: acceptEveryStatus,
          // The deadline destroys the request; axios's timeout only measures socket idle time.
          timeout: 0,
          // The cap is ours: axios would fail the attempt where we truncate.
          maxContentLength: -1,
        }),
      );
      deadline.cut(response.data);
      const body = hasNoBody(response)
        ? await drainEmpty(response.data)
        : await readCappedBody(response.data, maxResponseBytes);
      return {
        status: response.status,
        headers: flattenHeaders(response.headers),
        body: body.bytes.toString('utf8'),
        truncated: body.truncated,
        durationMs: performance.now() - started,
      };
    });
  }

  return {
    send,
    async close() {
      if (closed) return;
      closed = true;
      agents.destroy();
    },
  };
}

/** 204, 304 and `content-length: 0` carry no body: nothing to read, which spares the stream machinery. */
function hasNoBody(response: AxiosResponse): boolean {
  return response.status === 204 || response.status === 304 || response.headers['content-length'] === '0';
}

const acceptEveryStatus = (): boolean => true;

/**
 * An axios `transport`: Node's http(s).request, as axios itself uses when redirects are off, handing
 * each request to the deadline, which destroys it when the attempt ends early. A class rather than an
 * object literal with a closure: one small object per attempt.
 */
class DeadlineTransport {
  constructor(private readonly deadline: AttemptDeadline) {}

  request(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    // axios's own test for the protocol of the request it built (a proxy's, behind one).
    const send = /https:?/.test(options.protocol ?? '') ? httpsRequest : httpRequest;
    const request = send(options, callback);
    this.deadline.cut(request);
    return request;
  }
}

/**
 * Lets the empty stream end, so the socket goes back to the pool before the next attempt. The
 * deadline destroys the stream if it never ends, which rejects here.
 */
async function drainEmpty(stream: Readable): Promise<{ bytes: Buffer; truncated: false }> {
  if (!stream.readableEnded) {
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => {
        stream.off('end', onEnd);
        stream.off('error', settle);
        stream.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onEnd = (): void => settle();
      const onClose = (): void => settle(stream.readableEnded ? undefined : new Error('the response ended early'));
      stream.on('end', onEnd);
      stream.on('error', settle);
      stream.on('close', onClose);
      stream.resume();
    });
  }
  return { bytes: Buffer.alloc(0), truncated: false };
}
