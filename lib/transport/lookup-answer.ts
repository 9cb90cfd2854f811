import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';

/**
 * The addresses a `lookup` answered, whichever shape it used: the list that `{ all: true }` asks for,
 * or the single `(address, family)` of a lookup that ignores `all` (a common hand-written one does).
 * Entries that are not IP addresses are dropped, so a name never passes as its own address.
 */
export function addressesOf(found: unknown, family?: unknown): LookupAddress[] {
  if (typeof found === 'string') {
    const kind = isIP(found);
    return kind === 0 ? [] : [{ address: found, family: family === 4 || family === 6 ? family : kind }];
  }
  if (!Array.isArray(found)) return [];
  return found.filter(
    (entry): entry is LookupAddress =>
      typeof entry === 'object' && entry !== null && typeof entry.address === 'string' && isIP(entry.address) !== 0,
  );
}
