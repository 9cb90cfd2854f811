import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent, type RequestOptions as HttpsRequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { AddressRefusedError, type AddressPolicy } from './address-policy';
import { ConnectGate } from './connect-gate';
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
 * The TCP keep-alive delay of a pooled socket: axios sets 60 s on every request's socket, and Node's
 * agent sets its own `keepAliveMsecs` (1 s by default) each time the socket goes back to the pool.
 * Two different values made each request cost two `setsockopt` round trips (Node only calls the
 * system when the value changes); the same value makes both calls free.
 */
const TCP_KEEP_ALIVE_MS = 60_000;

/**
 * Agents that decide where a socket may go before it exists. The guard (the `ConnectGate`) sits in
 * `createConnection`, the one door every new connection of an agent goes through, whatever axios
 * instance, interceptor or request options sent the request there.
 */
export function createTransportAgents(options: TransportAgentsOptions): TransportAgents {
  const gate = new ConnectGate(options.policy, options.lookup);
  const agentOptions = { keepAlive: options.keepAlive, keepAliveMsecs: TCP_KEEP_ALIVE_MS };
  const http = new GuardedHttpAgent(agentOptions, gate);
  const https = new GuardedHttpsAgent(agentOptions, gate);
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
    openThroughGate(this.gate, options, (pinned) => super.createConnection(pinned), callback);
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
    openThroughGate(this.gate, options, (pinned) => super.createConnection(pinned), callback);
    return undefined;
  }
}

/**
 * Hands a Node agent's connection to the gate. Always answers through `done` (Node's agents pass it):
 * resolving a name is asynchronous, so no socket can be returned directly.
 */
function openThroughGate<O extends ClientRequestArgs>(
  gate: ConnectGate,
  options: O,
  connect: (pinned: O) => Duplex | null | undefined,
  done: OnCreate | undefined,
): void {
  if (!done) throw new TypeError('a guarded agent connects asynchronously: createConnection needs its callback');
  // Node's agents accept `callback(error)` without a socket; the type insists on one.
  const fail = done as (error: Error) => void;
  if (options.socketPath && gate.policy) {
    return fail(new AddressRefusedError('a Unix socket path is not an address the SSRF guard can check'));
  }
  gate.open(
    { host: options.host ?? options.hostname ?? 'localhost', family: options.family, hints: options.hints },
    (lookup) => {
      const socket = connect(lookup ? { ...options, lookup } : options);
      if (socket) done(null, socket);
    },
    fail,
  );
}
