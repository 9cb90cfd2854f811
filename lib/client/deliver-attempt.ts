import type { AttemptRecord, AttemptResult, DeliverOnce, Lease } from '../delivery';
import { HookspecError } from '../errors';
import { createSigner } from '../signing';
import type { WebhookMessage } from '../signing';
import type { Transport } from '../transport';
import { VERSION } from '../version';
import type { EndpointStore } from './endpoint';
import { checkEndpoint, endpointKeys } from './endpoint-registry';

export interface DeliverAttemptDependencies {
  readonly endpoints: EndpointStore;
  readonly transport: Transport;
  readonly timeoutMs: number;
  readonly now: () => number;
  /** The webhook names, when endpoints must be checked before each attempt (they come from a store). */
  readonly checkEndpoint?: readonly string[] | undefined;
}

/**
 * One attempt of one delivery: look the endpoint up again (a rotated secret or a disabled endpoint
 * applies from the next attempt on), sign with a fresh timestamp, POST the stored bytes. Never throws:
 * whatever goes wrong becomes the attempt's error code.
 */
export function createDeliverAttempt(deps: DeliverAttemptDependencies): DeliverOnce {
  const userAgent = `hookspec/${VERSION}`;
  // Parsed keys by key list, so a retry or the next message does not decode the secrets again. Bounded:
  // a store that rotates keys often only ever holds the recent ones.
  const signers = new Map<string, (message: WebhookMessage) => string>();
  const signerFor = (keys: string[]): ((message: WebhookMessage) => string) => {
    const cacheKey = keys.join('\n');
    let signer = signers.get(cacheKey);
    if (!signer) {
      signer = createSigner(keys);
      if (signers.size >= 1_000) signers.clear();
      signers.set(cacheKey, signer);
    }
    return signer;
  };
  return async (lease: Lease, attempt: number): Promise<AttemptResult> => {
    const { message, delivery } = lease;
    const endpoint = await deps.endpoints.endpointById(delivery.endpointId);
    if (!endpoint) return { kind: 'skipped', reason: 'endpoint-missing' };
    if (endpoint.enabled === false) return { kind: 'skipped', reason: 'endpoint-disabled' };

    const startedAt = deps.now();
    if (deps.checkEndpoint) {
      try {
        checkEndpoint(endpoint, `endpoint '${delivery.endpointId}'`, deps.checkEndpoint, { knownKeysOnly: false });
      } catch (error) {
        return failedAttempt(attempt, startedAt, deps.now(), 'invalid-endpoint', (error as Error).message);
      }
    }
    const timestamp = Math.floor(startedAt / 1000);
    let signature: string;
    try {
      signature = signerFor(endpointKeys(endpoint))({ id: message.id, timestamp, body: message.body });
    } catch (error) {
      return failedAttempt(
        attempt,
        startedAt,
        deps.now(),
        error instanceof HookspecError ? error.code : 'signing-failed',
        (error as Error).message,
      );
    }
    try {
      const response = await deps.transport.send({
        url: endpoint.url,
        headers: {
          ...endpoint.headers,
          'content-type': 'application/json',
          'user-agent': userAgent,
          'webhook-id': message.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signature,
        },
        body: message.body,
        timeoutMs: deps.timeoutMs,
      });
      const durationMs = Math.round(response.durationMs);
      const { status, body } = response;
      // Two literals rather than a spread of an empty object on every attempt.
      const record: AttemptRecord = response.truncated
        ? { attempt, startedAt, durationMs, status, response: body, responseTruncated: true }
        : { attempt, startedAt, durationMs, status, response: body };
      const retryAfter = response.headers['retry-after'];
      return retryAfter === undefined ? { kind: 'attempted', record } : { kind: 'attempted', record, retryAfter };
    } catch (error) {
      return failedAttempt(
        attempt,
        startedAt,
        deps.now(),
        error instanceof HookspecError ? error.code : 'network-error',
        (error as Error).message,
      );
    }
  };
}

/** A failed attempt's result: a function, not a closure built on every attempt for the rare failure. */
function failedAttempt(attempt: number, startedAt: number, now: number, code: string, error: string): AttemptResult {
  return {
    kind: 'attempted',
    record: { attempt, startedAt, durationMs: Math.round(now - startedAt), errorCode: code, error },
  };
}
