import { createHmac, createSecretKey, sign as ed25519Sign } from 'node:crypto';
import { WebhookMessageError } from '../errors';
import { buildSignedContent, findMessageProblem, hmacOfContent, type WebhookMessage } from './message';
import { parseKeyList, parseSigningKey } from './signing-keys';

/**
 * Signs a message for the `webhook-signature` header. Each key adds one space-separated entry, in the
 * order given: `v1,<base64 HMAC-SHA256>` for a `whsec_` secret, `v1a,<base64 ed25519>` for a `whsk_`
 * private key. During rotation pass the old and the new key; receivers accept a message when any entry
 * matches one of their keys.
 *
 * @param message - id, timestamp (Unix seconds or a Date) and the exact body that will be sent.
 * @param keys - one key or a non-empty list of keys.
 * @throws WebhookSecretError (`invalid-secret`, `invalid-key`) for a malformed key, naming its index.
 * @throws WebhookMessageError (`invalid-message-id`, `invalid-timestamp`, `invalid-body`) for a message that
 * cannot be signed unambiguously.
 */
export function sign(message: WebhookMessage, keys: string | readonly string[]): string {
  return createSigner(keys)(message);
}

/**
 * {@link sign} with the keys parsed once: the returned function signs many messages (the client keeps
 * one per endpoint, so a retry does not re-decode its secrets). Throws for a malformed key at once.
 */
export function createSigner(keys: string | readonly string[]): (message: WebhookMessage) => string {
  // HMAC keys as KeyObjects: createHmac then skips copying and preparing the raw bytes on every message.
  const signers = parseKeyList(keys, parseSigningKey).map((key): ((message: WebhookMessage) => string) => {
    if (key.version === 'v1') {
      const secret = createSecretKey(key.secret);
      return (message) => `v1,${hmacOfContent(createHmac('sha256', secret), message).toString('base64')}`;
    }
    return (message) => `v1a,${ed25519Sign(null, buildSignedContent(message), key.privateKey).toString('base64')}`;
  });
  return (message) => {
    const problem = findMessageProblem(message);
    if (problem !== undefined) throw new WebhookMessageError(problem.code, `sign(): ${problem.reason}`);
    let signature = signers[0](message);
    for (let index = 1; index < signers.length; index++) signature += ` ${signers[index](message)}`;
    return signature;
  };
}
