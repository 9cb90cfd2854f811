import { randomFillSync } from 'node:crypto';

// Random bytes are drawn from the OS in blocks: one system call per 256 ids instead of one per id.
const POOL_SIZE = 16 * 256;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

/** `msg_` + 22 random URL-safe characters (128 bits): unique, header-safe, and never containing a '.'. */
export function newMessageId(): string {
  if (offset + 16 > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + 16);
  offset += 16;
  return `msg_${id}`;
}
