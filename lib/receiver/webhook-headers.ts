import { WebhookVerificationError } from '../errors';

/** Request headers as Node (`req.headers`), Fetch (`Headers`) or a plain object with any casing give them. */
export type WebhookHeaders =
  { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The three Standard Webhooks headers of a request. */
export interface SignatureHeaders {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
}

/**
 * Reads `webhook-id`, `webhook-timestamp` and `webhook-signature` (or their `svix-` spellings), in any
 * casing. A header sent twice keeps its first value, except the signature, whose values are joined:
 * every one is a candidate.
 */
export function readSignatureHeaders(headers: WebhookHeaders): SignatureHeaders {
  if (typeof headers !== 'object' || headers === null) {
    throw new WebhookVerificationError(
      'missing-header',
      'No headers were given: pass the request headers (req.headers, or a Fetch Headers object).',
    );
  }
  const read = lookup(headers);
  const prefix = read('webhook-id') !== undefined ? 'webhook' : read('svix-id') !== undefined ? 'svix' : 'webhook';
  const missing: string[] = [];
  const value = (name: string, join: boolean): string => {
    const found = read(`${prefix}-${name}`);
    if (found === undefined) {
      missing.push(`${prefix}-${name}`);
      return '';
    }
    return typeof found === 'string' ? found : join ? found.join(' ') : (found[0] ?? '');
  };
  const id = value('id', false);
  const timestamp = value('timestamp', false);
  const signature = signatureEntries(value('signature', true));
  if (missing.length > 0) {
    throw new WebhookVerificationError(
      'missing-header',
      `The request has no ${missing.join(', ')} header${missing.length > 1 ? 's' : ''}: it was not sent by a ` +
        `Standard Webhooks sender, or a proxy dropped ${missing.length > 1 ? 'them' : 'it'}.`,
    );
  }
  return { id, timestamp, signature };
}

function lookup(headers: WebhookHeaders): (name: string) => string | readonly string[] | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (name) => (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  let byLowerName: Map<string, string | readonly string[]> | undefined;
  // Node's req.headers already has lower-case names, so every name is scanned only when one is not found.
  return (name) => {
    const exact = record[name];
    if (exact !== undefined) return exact;
    if (byLowerName === undefined) {
      byLowerName = new Map();
      for (const [key, value] of Object.entries(record)) {
        if (value !== undefined && !byLowerName.has(key.toLowerCase())) byLowerName.set(key.toLowerCase(), value);
      }
    }
    return byLowerName.get(name);
  };
}

/**
 * The signature entries as one space-separated list. Two `webhook-signature` header lines reach us joined
 * with `, ` (Node's `req.headers`, Fetch's `Headers.get`), which would leave a trailing comma on every
 * entry but the last, and make a valid signature in the first line fail. An entry is `v1,<base64>` or
 * `v1a,<base64>`: base64 holds no comma, and no entry has a space after its comma, so a comma followed by
 * whitespace is only ever such a join. A trailing comma at the very end is left alone (and fails).
 */
function signatureEntries(value: string): string {
  return value.replace(/,(?=\s)/g, '');
}
