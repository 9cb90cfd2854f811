/*
 * The address forms the SSRF guard must judge, in one table that drives both the connect-time guard
 * (spec/transport/ssrf-guard.spec.ts, through a WebhookClient) and `checkEndpointUrl`
 * (spec/transport/check-endpoint-url.spec.ts): one policy, checked the same way by both doors.
 */

/** The only DNS these specs use (through a stub lookup): nothing is resolved off the machine. */
export const STUB_DNS: Record<string, readonly string[]> = {
  localhost: ['127.0.0.1'],
  'mixed.test': ['93.184.216.34', '10.0.0.1'],
  'public.test': ['93.184.216.34'],
  'metadata.test': ['169.254.169.254'],
};

export const LOOPBACK_NETWORKS = ['127.0.0.0/8', '::1/128'];

/** URLs refused without any allow-list: what, URL (on `port`, a loopback server's), and the message part. */
export const REFUSED_URLS: ReadonlyArray<[what: string, url: (port: number) => string, message: string]> = [
  ['127.0.0.1', (port) => `http://127.0.0.1:${port}/hook`, '127.0.0.1 (loopback) is refused'],
  [
    'localhost (resolves to 127.0.0.1)',
    (port) => `http://localhost:${port}/hook`,
    'localhost resolves to 127.0.0.1 (loopback)',
  ],
  ['[::1]', (port) => `http://[::1]:${port}/hook`, '::1 (loopback)'],
  ['0.0.0.0 (reaches localhost on Linux)', (port) => `http://0.0.0.0:${port}/hook`, '0.0.0.0 (unspecified)'],
  ['[::]', (port) => `http://[::]:${port}/hook`, ':: (unspecified)'],
  ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', '169.254.169.254 (linkLocal)'],
  [
    'a name for the metadata address',
    () => 'http://metadata.test/',
    'metadata.test resolves to 169.254.169.254 (linkLocal)',
  ],
  ['IPv4-mapped loopback [::ffff:127.0.0.1]', (port) => `http://[::ffff:127.0.0.1]:${port}/`, '127.0.0.1 (loopback)'],
  ['NAT64 of the metadata address', () => 'http://[64:ff9b::a9fe:a9fe]/', 'carrying 169.254.169.254 (linkLocal)'],
  ['6to4 of the metadata address', () => 'http://[2002:a9fe:a9fe::]/', '(6to4, carrying 169.254.169.254 (linkLocal))'],
  ['Teredo', () => 'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', '(teredo, carrying'],
  ['2130706433 (decimal 127.0.0.1)', (port) => `http://2130706433:${port}/`, '127.0.0.1 (loopback)'],
  ['0x7f.1 (hex 127.0.0.1)', (port) => `http://0x7f.1:${port}/`, '127.0.0.1 (loopback)'],
  ['10.0.0.1', () => 'http://10.0.0.1/hook', '10.0.0.1 (private)'],
  ['172.16.0.1', () => 'http://172.16.0.1/hook', '172.16.0.1 (private)'],
  ['192.168.1.1', () => 'http://192.168.1.1/hook', '192.168.1.1 (private)'],
  ['100.64.0.1 (CGNAT)', () => 'http://100.64.0.1/hook', '100.64.0.1 (carrierGradeNat)'],
  ['198.18.0.1 (benchmarking)', () => 'http://198.18.0.1/hook', '198.18.0.1 (reserved)'],
  ['[fd00::1] (unique local)', () => 'http://[fd00::1]/hook', 'fd00::1 (uniqueLocal)'],
  ['[fe80::1] (link-local)', () => 'http://[fe80::1]/hook', 'fe80::1 (linkLocal)'],
  ['224.0.0.1 (multicast)', () => 'http://224.0.0.1/hook', '224.0.0.1 (multicast)'],
  ['255.255.255.255 (broadcast)', () => 'http://255.255.255.255/hook', '255.255.255.255 (broadcast)'],
  ['https://10.0.0.1', () => 'https://10.0.0.1/hook', '10.0.0.1 (private)'],
  ['https:// a name for the metadata address', () => 'https://metadata.test/hook', '169.254.169.254 (linkLocal)'],
  [
    'a name with one public and one private address',
    () => 'http://mixed.test/hook',
    'mixed.test resolves to 10.0.0.1 (private)',
  ],
];

/** Literal addresses that are not public, by the ipaddr.js range (or ours) they fall in. */
export const REFUSED_ADDRESSES: ReadonlyArray<[address: string, range: string]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'linkLocal'],
  ['fe80::1', 'linkLocal'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['::', 'unspecified'],
  ['255.255.255.255', 'broadcast'],
  ['224.0.0.1', 'multicast'],
  ['ff02::1', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['198.51.100.1', 'reserved'],
  ['203.0.113.1', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['fc00::1', 'uniqueLocal'],
  ['fd00:ec2::254', 'uniqueLocal'],
  ['2001:2::1', 'benchmarking'],
  ['64:ff9b::808:808', 'rfc6052'],
  ['2002:808:808::1', '6to4'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
  ['::808:808', 'ipv4Compatible'],
  ['100::1', 'discard'],
  ['fec0::1', 'deprecatedSiteLocal'],
];

/** Public unicast addresses: allowed without any allow-list. */
export const PUBLIC_ADDRESSES: ReadonlyArray<[address: string, range: string]> = [
  ['93.184.216.34', 'unicast'],
  ['8.8.8.8', 'unicast'],
  ['2606:2800:220:1:248:1893:25c8:1946', 'unicast'],
  ['2001:4860:4860::8888', 'unicast'],
];

/** Hosts that reach 127.0.0.1 once loopback is allowed. */
export const LOOPBACK_HOSTS: ReadonlyArray<[what: string, host: string]> = [
  ['127.0.0.1', '127.0.0.1'],
  ['localhost', 'localhost'],
  ['[::ffff:127.0.0.1]', '[::ffff:127.0.0.1]'],
  ['2130706433', '2130706433'],
  ['0x7f.1', '0x7f.1'],
];

/** Still refused when only loopback is allowed: allowing one range opens nothing else. */
export const REFUSED_BESIDE_LOOPBACK: ReadonlyArray<(port: number) => string> = [
  () => 'http://10.0.0.1/',
  () => 'http://169.254.169.254/',
  (port) => `http://0.0.0.0:${port}/`,
  () => 'http://mixed.test/',
];

/** A literal address as the host of a URL. */
export function urlOf(address: string, port?: number): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}${port === undefined ? '' : `:${port}`}/hook`;
}
