import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { AddressPolicy } from './address-policy';
import { addressesOf } from './lookup-answer';
import type { LookupAllFunction } from './transport';

/** Where one connection wants to go, as the connecting library names it. */
export interface ConnectDestination {
  /** A host name or an IP literal (IPv6 with or without brackets). */
  host: string;
  /** The address family asked for: 4, 6, or anything else for both. */
  family?: number | undefined;
  hints?: number | undefined;
}

/**
 * The one door of every new connection of a transport, whichever library opens it (Node's agents for
 * axios, a connector for undici): it resolves the host itself (every address), refuses the connection
 * if any address is not allowed, and otherwise hands `connect` a lookup pinned to exactly the
 * addresses it checked, so a second DNS answer (rebinding) can never be used.
 */
export class ConnectGate {
  private closed = false;

  constructor(
    /** The SSRF guard; without one every address is allowed (the lookup is still the injected one). */
    readonly policy: AddressPolicy | undefined,
    private readonly lookup: LookupAllFunction,
  ) {}

  /** From now on every connection fails, so an attempt still resolving a name cannot open a socket. */
  close(): void {
    this.closed = true;
  }

  /**
   * Calls `connect` only for a destination that passed the policy, with the pinned lookup to give
   * `net.connect` (none for an IP literal, which Node connects to without a lookup). Every failure,
   * including a `connect` that throws, goes to `fail`; resolving a name is asynchronous, so neither
   * may be expected synchronously.
   */
  open(
    destination: ConnectDestination,
    connect: (lookup: LookupFunction | undefined) => void,
    fail: (error: Error) => void,
  ): void {
    const connectWith = (lookup: LookupFunction | undefined): void => {
      // An attempt that was still resolving when the transport closed must not open a socket.
      if (this.closed) return fail(new Error('the transport is closed'));
      try {
        connect(lookup);
      } catch (error) {
        fail(asError(error));
      }
    };

    const host = withoutBrackets(destination.host);
    // Node connects to an IP literal without calling `lookup`, so literals are judged here.
    if (isIP(host) !== 0) {
      const refusal = this.policy?.refusal(host, [host], false);
      return refusal ? fail(refusal) : connectWith(undefined);
    }
    const resolved = (error: NodeJS.ErrnoException | null, found: unknown, family?: number): void => {
      if (error) return fail(error);
      const addresses = addressesOf(found, family);
      if (addresses.length === 0) {
        return fail(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host }));
      }
      const all = addresses.map((entry) => entry.address);
      const refusal = this.policy?.refusal(host, all, true);
      return refusal ? fail(refusal) : connectWith(pinnedLookup(addresses));
    };
    try {
      this.lookup(host, { all: true, family: familyOf(destination.family), hints: destination.hints }, resolved);
    } catch (error) {
      // An injected lookup that throws fails this attempt, not the transport.
      fail(asError(error));
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function withoutBrackets(host: string): string {
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
