import { randomUUID } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';

/** A request as another Standard Webhooks sender makes it: signed by the `standardwebhooks` package. */
export interface SignedRequest {
  readonly id: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function signWithStandardWebhooks(
  secret: string,
  payload: unknown,
  { id = `msg_${randomUUID()}`, timestamp = new Date() }: { id?: string; timestamp?: Date } = {},
): SignedRequest {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return {
    id,
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new StandardWebhook(secret).sign(id, timestamp, body),
    },
  };
}
