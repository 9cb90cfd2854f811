import ipaddr from 'ipaddr.js';
import type { OptionScope } from '../options';

type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;
type Network = [IpAddress, number];

/** How the SSRF guard sees one address. */
export interface AddressVerdict {
  /** The address as checked, IPv4-mapped IPv6 (`::ffff:a.b.c.d`) unwrapped to IPv4. */
  address: string;
  /**
   * The ipaddr.js range name: `unicast` means public; anything else (`loopback`, `private`,
   * `linkLocal`, `carrierGradeNat`, `rfc6052`, `6to4`, `teredo`, `uniqueLocal`, `reserved`…) is not.
   * `ipv4Compatible` is ours: ipaddr.js calls the deprecated `::a.b.c.d` form unicast.
   */
  range: string;
  /** The IPv4 addresses that a NAT64, 6to4, Teredo or IPv4-compatible address carries, judged alike. */
  embedded: AddressVerdict[];
  /** Public (or listed in `allowNetworks`), and so is every embedded IPv4 address. */
  allowed: boolean;
}

/**
 * Decides which addresses a webhook may be delivered to: public unicast ones, plus the networks the
 * user opened on purpose. Everything ipaddr.js does not call `unicast` is refused, so a range that a
 * future ipaddr.js version learns to name is refused too, without a change here.
 */
export class AddressPolicy {
  private readonly allowNetworks: readonly Network[];

  /**
   * @param allowNetworks CIDR ranges reachable although not public; an invalid one throws here.
   * @param scope where the option was given, to throw its error (`invalid-option`).
   */
  constructor(allowNetworks: readonly string[], scope: OptionScope) {
    if (!Array.isArray(allowNetworks)) {
      throw scope.fail(
        'invalid-option',
        `${scope.where}: allowNetworks must be a list of CIDR ranges, e.g. ['127.0.0.0/8'].`,
      );
    }
    this.allowNetworks = allowNetworks.map((cidr) => parseAllowedNetwork(cidr, scope));
  }

  /** Judges an IPv4 or IPv6 address (as `net.isIP` accepts it). */
  check(address: string): AddressVerdict {
    return this.judge(ipaddr.process(address));
  }

  /**
   * Judges every address a host stands for, and refuses if any one fails: a name resolving to one
   * public and one private address is refused, since the connection may use either.
   * @param resolved whether `addresses` came from DNS (`host` is a name) or `host` is a literal.
   */
  refusal(host: string, addresses: readonly string[], resolved: boolean): AddressRefusedError | undefined {
    const refused = addresses.map((address) => this.check(address)).filter((verdict) => !verdict.allowed);
    if (refused.length === 0) return undefined;
    const what = refused.map(describeVerdict).join(', ');
    const why =
      'the SSRF guard connects only to public addresses (list the network in allowNetworks to reach it on purpose)';
    if (resolved) return new AddressRefusedError(`${host} resolves to ${what}; ${why}`);
    // An IPv4-mapped literal is judged as the IPv4 address it maps to: show both.
    const subject = refused[0].address === host ? what : `${host} = ${what}`;
    return new AddressRefusedError(`${subject} is refused; ${why}`);
  }

  private judge(ip: IpAddress): AddressVerdict {
    const range = rangeOf(ip);
    const embedded = embeddedIPv4(ip, range).map((inner) => this.judge(inner));
    const allowed = (range === 'unicast' || this.isListed(ip)) && embedded.every((inner) => inner.allowed);
    return { address: ip.toString(), range, embedded, allowed };
  }

  private isListed(ip: IpAddress): boolean {
    return this.allowNetworks.some(([network, bits]) => network.kind() === ip.kind() && ip.match(network, bits));
  }
}

/** `10.0.0.1 (private)`, `64:ff9b::a9fe:a9fe (rfc6052, carrying 169.254.169.254 (linkLocal))`. */
export function describeVerdict(verdict: AddressVerdict): string {
  const carried = verdict.embedded.map((inner) => `, carrying ${describeVerdict(inner)}`).join('');
  return `${verdict.address} (${verdict.range}${carried})`;
}

/**
 * Raised by the agents when the guard refuses a connection, before any socket exists. The transport
 * turns it into a `WebhookTransportError` with code `ssrf-blocked`.
 */
export class AddressRefusedError extends Error {
  override name = 'AddressRefusedError';
}

function rangeOf(ip: IpAddress): string {
  const range = ip.range();
  // ::a.b.c.d (RFC 4291 "IPv4-compatible", deprecated) falls outside every ipaddr.js range, so it would
  // pass as unicast although some stacks route it to the IPv4 address it carries.
  if (ip instanceof ipaddr.IPv6 && range === 'unicast' && isIPv4Compatible(ip)) {
    return 'ipv4Compatible';
  }
  return range;
}

function isIPv4Compatible(ip: ipaddr.IPv6): boolean {
  return ip.parts.slice(0, 6).every((part) => part === 0);
}

/**
 * The IPv4 addresses an IPv6 address stands for. The ranges that carry them are refused anyway; this
 * matters when a user opens such a range (say a NAT64 prefix) on purpose: the IPv4 address behind it
 * must then still be public or allowed, or 64:ff9b::a9fe:a9fe would reach 169.254.169.254.
 */
function embeddedIPv4(ip: IpAddress, range: string): ipaddr.IPv4[] {
  if (!(ip instanceof ipaddr.IPv6)) return [];
  const parts = ip.parts;
  switch (range) {
    case 'rfc6052': // NAT64 (64:ff9b::/96, 64:ff9b:1::/48): the IPv4 address is the last 32 bits.
    case 'rfc6145': // IPv4-translated ::ffff:0:a.b.c.d
    case 'ipv4Compatible':
      return [ipv4FromParts(parts[6], parts[7])];
    case '6to4': // 2002:AABB:CCDD::/48 carries AA.BB.CC.DD
      return [ipv4FromParts(parts[1], parts[2])];
    case 'teredo': // 2001:0:server(32 bits):flags:port:client(32 bits, inverted)
      return [ipv4FromParts(parts[2], parts[3]), ipv4FromParts(~parts[6] & 0xffff, ~parts[7] & 0xffff)];
    default:
      return [];
  }
}

function ipv4FromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function parseAllowedNetwork(cidr: string, scope: OptionScope): Network {
  let network: Network;
  try {
    network = ipaddr.parseCIDR(cidr);
  } catch {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: allowNetworks: ${JSON.stringify(cidr)} is not a CIDR range. ` +
        `Write an address and a prefix length, e.g. "127.0.0.0/8" or "::1/128".`,
    );
  }
  const [address, bits] = network;
  // Addresses are unwrapped to IPv4 before matching, so an IPv4-mapped range must be unwrapped too,
  // or "::ffff:10.0.0.0/104" would silently match nothing.
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() && bits >= 96) {
    return [address.toIPv4Address(), bits - 96];
  }
  return network;
}
