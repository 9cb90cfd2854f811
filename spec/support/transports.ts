import * as http from 'node:http';
import * as https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { vi, type MockInstance } from 'vitest';

/** The built-in transports: the transport specs run every case against each. */
export const TRANSPORTS = ['axios', 'undici'] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

/** The options a transport asked a socket for: where to, and the lookup it was pinned to. */
export interface SocketRequest {
  host?: string | undefined;
  lookup?: PinnedLookup | undefined;
}

export type PinnedLookup = (
  hostname: string,
  options: { all: true },
  callback: (error: Error | null, addresses: unknown) => void,
) => void;

/** Every socket a transport asks for, seen at the last door before the operating system. */
export interface ConnectProbe {
  /** Plain TCP sockets (`http:` targets, and proxies). */
  readonly plain: () => SocketRequest[];
  /** TLS sockets (`https:` targets). */
  readonly tls: () => SocketRequest[];
  /** From now on each socket request throws, after the guard let it through: nothing leaves the machine. */
  suppress(): void;
}

/**
 * Spies where each transport opens its sockets: Node's agents for axios (their `createConnection`),
 * `net.connect` and `tls.connect` for undici's connector. Restore with `vi.restoreAllMocks()`.
 */
export function probeConnections(kind: TransportKind): ConnectProbe {
  const spies: [MockInstance, MockInstance] =
    kind === 'axios'
      ? [vi.spyOn(http.Agent.prototype, 'createConnection'), vi.spyOn(https.Agent.prototype, 'createConnection')]
      : [vi.spyOn(net, 'connect'), vi.spyOn(tls, 'connect')];
  const requests = (spy: MockInstance) => (): SocketRequest[] => spy.mock.calls.map((call) => call[0] as SocketRequest);
  return {
    plain: requests(spies[0]),
    tls: requests(spies[1]),
    suppress() {
      for (const spy of spies)
        spy.mockImplementation(() => {
          throw new Error('connection suppressed by the test');
        });
    },
  };
}
