import type { LookupAddress } from 'node:dns';
import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent, type RequestOptions as HttpsRequestOptions } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import { AddressRefusedError, type AddressPolicy } from './address-policy';
import { addressesOf } from './lookup-answer';
import type { LookupAllFunction } from './transport';

/** The callback Node's agents pass to `createConnection` (see `Agent.prototype.createSocket`). */
type OnCreate = (error: Error | null, socket: Duplex) => void;

/** The http and https agents of one transport; `destroy()` closes every socket they own. */
export interface TransportAgents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
  destroy(): void;
}

export interface TransportAgentsOptions {
  /** The SSRF guard; without one every address is allowed (the lookup is still the injected one). */
  policy: AddressPolicy | undefined;
  lookup: LookupAllFunction;
  keepAlive: boolean;
}

/**
 * Agents that decide where a socket may go before it exists. The guard sits in `createConnection`,
 * the one door every new connection of an agent goes through, whatever axios instance, interceptor
 * or request options sent the request there: it resolves the host itself (every address), refuses
 * the connection if any address is not allowed, and otherwise pins the socket to exactly the
 * addresses it checked, so a second DNS answer (rebinding) can never be used.
 */
export function createTransportAgents(options: TransportAgentsOptions): TransportAgents {
  const gate = new ConnectGate(options.policy, options.lookup);
  const http = new GuardedHttpAgent({ keepAlive: options.keepAlive }, gate);
  const https = new GuardedHttpsAgent({ keepAlive: options.keepAlive }, gate);
  return {
    http,
    https,
    destroy() {
      gate.close();
      http.destroy();
      https.destroy();
    },
  };
}

class GuardedHttpAgent extends HttpAgent {
  constructor(
    options: ConstructorParameters<typeof HttpAgent>[0],
    private readonly gate: ConnectGate,
  ) {
    super(options);
  }

  override createConnection(options: ClientRequestArgs, callback?: OnCreate): Duplex | null | undefined {
    this.gate.open(options, (pinned) => super.createConnection(pinned), callback);
    return undefined;
  }
}

class GuardedHttpsAgent extends HttpsAgent {
  constructor(
    options: ConstructorParameters<typeof HttpsAgent>[0],
    private readonly gate: ConnectGate,
  ) {
    super(options);
  }

  override createConnection(options: HttpsRequestOptions, callback?: OnCreate): Duplex | null | undefined {
    this.gate.open(options, (pinned) => super.createConnection(pinned), callback);
    return undefined;
  }
}

class ConnectGate {
  private closed = false;

  constructor(
    private readonly policy: AddressPolicy | undefined,
    private readonly lookup: LookupAllFunction,
  ) {}

  /** From now on every connection fails, so an attempt still resolving a name cannot open a socket. */
  close(): void {
    this.closed = true;
  }

  /**
   * Calls `connect` only with a destination that passed the policy. Always answers through `done`
   * (Node's agents pass it): resolving a name is asynchronous, so no socket can be returned directly.
   */
  open<O extends ClientRequestArgs>(
    options: O,
    connect: (pinned: O) => Duplex | null | undefined,
    done: OnCreate | undefined,
  ): void {
    if (!done) throw new TypeError('a guarded agent connects asynchronously: createConnection needs its callback');
    // Node's agents accept `callback(error)` without a socket; the type insists on one.
    const fail = done as (error: Error) => void;
    const connectTo = (pinned: O): void => {
      // An attempt that was still resolving when the transport closed must not open a socket.
      if (this.closed) return fail(new Error('the transport is closed'));
      let socket: Duplex | null | undefined;
      try {
        socket = connect(pinned);
      } catch (error) {
        return fail(asError(error));
      }
      if (socket) done(null, socket);
    };

    if (options.socketPath && this.policy) {
      return fail(new AddressRefusedError('a Unix socket path is not an address the SSRF guard can check'));
    }
    const host = hostOf(options);
    // Node connects to an IP literal without calling `lookup`, so literals are judged here.
    if (isIP(host) !== 0) {
      const refusal = this.policy?.refusal(host, [host], false);
      return refusal ? fail(refusal) : connectTo(options);
    }
    const resolved = (error: NodeJS.ErrnoException | null, found: unknown, family?: number): void => {
      if (error) return fail(error);
      const addresses = addressesOf(found, family);
      if (addresses.length === 0) {
        return fail(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host }));
      }
      const all = addresses.map((entry) => entry.address);
      const refusal = this.policy?.refusal(host, all, true);
      return refusal ? fail(refusal) : connectTo({ ...options, lookup: pinnedLookup(addresses) });
    };
    try {
      this.lookup(host, { all: true, family: familyOf(options.family), hints: options.hints }, resolved);
    } catch (error) {
      // An injected lookup that throws fails this attempt, not the agent.
      fail(asError(error));
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The host as Node's ClientRequest put it in the connection options, without IPv6 brackets. */
function hostOf(options: ClientRequestArgs): string {
  const host = options.host ?? options.hostname ?? 'localhost';
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function familyOf(family: number | undefined): 0 | 4 | 6 {
  return family === 4 || family === 6 ? family : 0;
}

/** A `lookup` for `net.connect` that answers with the addresses already checked, and nothing else. */
function pinnedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    // Asynchronous like dns.lookup, so net.Socket sees the order of events it expects.
    process.nextTick(() => {
      if (options.all) callback(null, [...addresses]);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
