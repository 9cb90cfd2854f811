import type { LookupAddress, LookupAllOptions } from 'node:dns';
import type { AxiosInstance, AxiosProxyConfig } from 'axios';

/** One HTTP attempt of a webhook delivery: always a `POST` of `body` to `url`. */
export interface TransportRequest {
  /** An `http:` or `https:` URL; anything else is refused before any network activity. */
  url: string;
  /** Sent as given: the caller sets `content-type`, `user-agent` and the `webhook-*` headers. */
  headers: Record<string, string>;
  /** The exact bytes that were signed, sent unchanged (UTF-8). */
  body: string;
  /** Total deadline of the attempt in milliseconds: DNS, connect, request, response headers and body. */
  timeoutMs: number;
  /** Aborts the attempt early (e.g. on shutdown); the attempt then fails with code `aborted`. */
  signal?: AbortSignal;
}

/** What the receiver answered. Every status is a response, including 3xx (never followed) and 5xx. */
export interface TransportResponse {
  status: number;
  /** Response headers with lower-case names; repeated headers are joined with `, `. */
  headers: Record<string, string>;
  /** At most `maxResponseBytes` of the body, decoded as UTF-8 (invalid sequences become U+FFFD). */
  body: string;
  /** True when the receiver sent more than `maxResponseBytes`; the rest was never read. */
  truncated: boolean;
  /** From the start of the attempt to the end of reading the body, in milliseconds. */
  durationMs: number;
}

/** Sends one attempt; rejects with a `WebhookTransportError` when there is no HTTP response. */
export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Destroys pooled and in-flight sockets. Idempotent; `send()` afterwards rejects. */
  close(): Promise<void>;
}

/**
 * Resolves every address of a host name, as `dns.lookup(hostname, { all: true }, callback)` does.
 * `dns.lookup` itself fits; tests inject a stub so that nothing is resolved or sent off the machine.
 * A lookup that ignores `all` and answers one `(address, family)` is accepted too.
 */
export type LookupAllFunction = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[] | string, family?: number) => void,
) => void;

/** Options of {@link createAxiosTransport}: the guarded transport's options, plus your axios instance. */
export interface AxiosTransportOptions extends GuardedTransportOptions {
  /**
   * Your axios instance, so that its interceptors and defaults keep working. Per request the transport
   * still sets its own agents (which carry the SSRF guard), the http adapter, HTTP/1.1, no custom
   * transport or socket path, its proxy, redirect and status rules, so the instance's defaults cannot
   * route around the guard. A request interceptor runs later and could replace those again: don't.
   * Default: a fresh `axios.create()`.
   */
  axios?: AxiosInstance;
}

/** Options of `createUndiciTransport`: the same guarantees and options as the axios transport, but `axios`. */
export interface UndiciTransportOptions extends GuardedTransportOptions {
  /**
   * The most connections kept open to one origin. The client passes its `concurrency`: it never has more
   * attempts in flight, so no attempt waits for a connection, and undici does not open a second one for a
   * request that comes while a finished response's connection is being handed back. Default: no limit.
   */
  connectionsPerOrigin?: number;
}

/** What the built-in transports share: one SSRF policy, one body cap, one proxy rule. */
export interface GuardedTransportOptions {
  /**
   * CIDR ranges that may be reached although the SSRF guard would refuse them, e.g.
   * `['127.0.0.0/8', '::1/128']` for tests and local development. An invalid CIDR throws at
   * construction. Default: none.
   */
  allowNetworks?: readonly string[];
  /**
   * Refuse to connect to any address that is not public unicast (loopback, private, link-local, cloud
   * metadata, CGNAT, NAT64/6to4/Teredo wrapping of those, reserved…), checked on every address DNS
   * returns, at connect time. Default: `true`.
   */
  ssrfGuard?: boolean;
  /**
   * An explicit proxy. The proxy then resolves and connects to the target, so the guard can only
   * refuse literal target addresses (`http://10.0.0.1/`); the proxy must enforce its own egress rules.
   * For `http:` targets the connection to the proxy goes through the guard as well, so a private proxy
   * must be listed in `allowNetworks`. The undici transport guards the connection to the proxy for
   * `https:` targets too, and tunnels those through it with `CONNECT`, so TLS runs end to end.
   * Default: `false`: `HTTP(S)_PROXY` are ignored.
   */
  proxy?: AxiosProxyConfig | false;
  /** How many bytes of a response body are read; the rest is discarded unread. Default: `20480`. */
  maxResponseBytes?: number;
  /** Resolves host names. Default: `dns.lookup`. */
  lookup?: LookupAllFunction;
  /** Reuse connections between attempts. The transport owns its agents either way. Default: `true`. */
  keepAlive?: boolean;
}
