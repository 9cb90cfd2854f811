import { lookup as dnsLookup } from 'node:dns';
import type { AxiosProxyConfig } from 'axios';
import type { buildConnector, Dispatcher } from 'undici';
import { WebhookClientConfigError, WebhookTransportError } from '../errors';
import { countOf, type OptionScope } from '../options';
import { AddressPolicy } from './address-policy';
import { METHOD, refuseLiteralTarget } from './attempt-checks';
import { DEFAULT_MAX_RESPONSE_BYTES } from './axios-transport';
import { ConnectGate } from './connect-gate';
import { loadUndici, type UndiciModule } from './load-undici';
import { parseTarget, type Target } from './target-url';
import { runAttempt } from './run-attempt';
import { UndiciExchange } from './undici-exchange';
import { undiciPools, type UndiciPools } from './undici-pools';
import type { Transport, TransportRequest, TransportResponse, UndiciTransportOptions } from './transport';

/** Where a transport's options are read when no client passes its own scope. */
const TRANSPORT_SCOPE: OptionScope = {
  where: 'createUndiciTransport(options)',
  fail: (code, message) => new WebhookClientConfigError(code, message),
};

/**
 * undici's own timers are off: the attempt's deadline is the one limit on connect, headers and body,
 * as for axios (an idle timer would let a receiver that drips a byte at a time hold the attempt).
 */
const NO_UNDICI_TIMERS = { headersTimeout: 0, bodyTimeout: 0 } as const;

/**
 * A transport that sends each attempt with undici (loaded now, so only a program that picks it needs
 * it), with the guarantees of the axios one: the SSRF guard in the connector of every connection (the
 * DNS answer checked and pinned), one deadline over the attempt, at most `maxResponseBytes` of the
 * body, no redirects, no proxy from the environment, an explicit proxy through the guard, keep-alive,
 * and the same error codes. Its connections live in one undici Pool per origin, destroyed by `close()`.
 */
export function createUndiciTransport(
  options: UndiciTransportOptions = {},
  scope: OptionScope = TRANSPORT_SCOPE,
): Transport {
  const maxResponseBytes = countOf(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes', scope);
  const policy = options.ssrfGuard === false ? undefined : new AddressPolicy(options.allowNetworks ?? [], scope);
  const undici = loadUndici(scope.where);
  const gate = new ConnectGate(policy, options.lookup ?? dnsLookup);
  const connect = guardedConnector(undici, gate);
  // Pools of our own (not the global dispatcher, nor EnvHttpProxyAgent): nothing from the environment
  // applies, and they follow no redirect (undici 7 only does with an interceptor).
  const connections = options.connectionsPerOrigin ?? null;
  const pools = undiciPools((origin) => new undici.Pool(origin, { connect, connections, ...NO_UNDICI_TIMERS }));
  const proxied = options.proxy ? proxyRoutes(undici, options.proxy, pools, connect, scope) : undefined;
  // Without keep-alive, each request asks the receiver to close the connection after its answer.
  const reset = options.keepAlive === false;
  let closed = false;

  async function send(request: TransportRequest): Promise<TransportResponse> {
    const target = parseTarget(request.url, METHOD);
    if (closed) throw new WebhookTransportError('network-error', 'the transport is closed', METHOD, target.safeUrl);
    if (policy && proxied) refuseLiteralTarget(policy, target);

    let route: Route | undefined;
    return runAttempt(
      request,
      target,
      (deadline, started) => {
        route =
          proxied?.route(target, request.headers) ??
          pooledRoute(pools, target.url.origin, `${target.url.pathname}${target.url.search}`, request.headers);
        const exchange = new UndiciExchange(maxResponseBytes, started, route.retire);
        deadline.cut(exchange);
        route.dispatcher.dispatch(
          {
            origin: target.url.origin,
            path: route.path,
            method: METHOD,
            headers: route.headers,
            // The exact signed bytes (undici encodes a string as UTF-8); it sets content-length from them.
            body: request.body,
            reset,
          },
          exchange,
        );
        return exchange.response;
      },
      (deadline) => {
        if (deadline.aborted) route?.retire?.();
      },
    );
  }

  return {
    send,
    async close() {
      if (closed) return;
      closed = true;
      gate.close();
      await Promise.all([pools.destroy(), proxied?.destroy()]);
    },
  };
}

type Connector = buildConnector.connector;

/**
 * undici's connector, behind the gate: the host is resolved and judged before any socket exists, and
 * the socket is opened with the lookup pinned to the addresses that passed. A connector is built per
 * pinned connection (undici passes no lookup per call); IP literals share one.
 */
function guardedConnector(undici: UndiciModule, gate: ConnectGate): Connector {
  // timeout 0: no connect timer of undici's own, the attempt's deadline covers the connect.
  const literal = undici.buildConnector({ timeout: 0 });
  return (options, callback) => {
    gate.open(
      { host: options.hostname },
      (lookup) => (lookup ? undici.buildConnector({ timeout: 0, lookup }) : literal)(options, callback),
      (error) => callback(error, null),
    );
  };
}

/** Where a proxied attempt goes, and the proxy's connections. */
interface ProxyRoutes {
  route(target: Target, headers: Record<string, string>): Route;
  destroy(): Promise<void>;
}

interface Route {
  dispatcher: Dispatcher;
  path: string;
  headers: Record<string, string>;
  /**
   * Hands the route's pool over to a fresh one, after an attempt cut its response short (see
   * `UndiciPools.retire`). None for the proxy tunnel, an Agent of undici's own.
   */
  retire?: () => void;
}

/** A route through the pool of `key` (an origin: the receiver's, or the proxy's). */
function pooledRoute(pools: UndiciPools, key: string, path: string, headers: Record<string, string>): Route {
  const pool = pools.get(key);
  return { dispatcher: pool, path, headers, retire: () => pools.retire(key, pool) };
}

/**
 * An explicit proxy, reached through the guarded connector. `http:` targets are sent to it as
 * absolute-URI requests, as axios does; `https:` targets are tunnelled through it with `CONNECT`, so
 * TLS (and the certificate check) runs between the client and the receiver.
 */
function proxyRoutes(
  undici: UndiciModule,
  proxy: AxiosProxyConfig,
  pools: UndiciPools,
  connect: Connector,
  scope: OptionScope,
): ProxyRoutes {
  const origin = proxyOrigin(proxy, scope);
  const authorization = proxy.auth
    ? `Basic ${Buffer.from(`${proxy.auth.username}:${proxy.auth.password}`).toString('base64')}`
    : undefined;
  const tunnel = new undici.ProxyAgent({
    uri: origin,
    ...(authorization ? { token: authorization } : {}),
    // The client that talks to the proxy (the CONNECT) connects through the guard.
    clientFactory: (proxyUrl, proxyOptions) => new undici.Pool(proxyUrl, { ...proxyOptions, connect }),
    ...NO_UNDICI_TIMERS,
  });
  return {
    route(target, headers) {
      if (target.url.protocol === 'https:') {
        return { dispatcher: tunnel, path: `${target.url.pathname}${target.url.search}`, headers };
      }
      const url = new URL(target.url.href);
      url.hash = '';
      return pooledRoute(pools, origin, url.href, {
        ...headers,
        host: target.url.host,
        ...(authorization ? { 'proxy-authorization': authorization } : {}),
      });
    },
    async destroy() {
      await tunnel.destroy();
    },
  };
}

function proxyOrigin(proxy: AxiosProxyConfig, scope: OptionScope): string {
  const protocol = (proxy.protocol ?? 'http').replace(/:$/, '');
  if (
    (protocol !== 'http' && protocol !== 'https') ||
    typeof proxy.host !== 'string' ||
    !Number.isInteger(proxy.port)
  ) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: proxy must be { protocol: 'http' | 'https', host, port } (the undici transport reaches ` +
        `an http(s) proxy), got protocol ${protocol}, host ${String(proxy.host)}, port ${String(proxy.port)}.`,
    );
  }
  const host = proxy.host.includes(':') && !proxy.host.startsWith('[') ? `[${proxy.host}]` : proxy.host;
  return `${protocol}://${host}:${proxy.port}`;
}
