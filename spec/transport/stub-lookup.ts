import { isIP } from 'node:net';
import type { LookupAllFunction } from '../../lib/transport';

/** A resolver that answers from a table and never touches real DNS; unknown names get ENOTFOUND. */
export function stubLookup(table: Record<string, readonly string[]>): { lookup: LookupAllFunction; calls: string[] } {
  const calls: string[] = [];
  const lookup: LookupAllFunction = (hostname, _options, callback) => {
    calls.push(hostname);
    const addresses = table[hostname];
    setImmediate(() => {
      if (addresses)
        callback(
          null,
          addresses.map((address) => ({ address, family: isIP(address) })),
        );
      else callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    });
  };
  return { lookup, calls };
}

/** Rejection of `promise`, or a test failure when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}
