import { randomBytes } from 'node:crypto';

/** `msg_` + 22 random URL-safe characters (128 bits): unique, header-safe, and never containing a '.'. */
export function newMessageId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}
