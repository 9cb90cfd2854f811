import 'reflect-metadata';
import { createSenderApp } from './sender';
import { listenReceiver } from './receiver';

/** A message as `GET /webhooks/messages` lists it (the fields this demo prints). */
interface MessageOut {
  id: string;
  event: string;
  owner?: string;
  deliveries: { endpointId: string; state: string; attempts: { attempt: number; status?: number }[] }[];
}

/** The demo account's bearer token (auth.ts's table), as a customer's settings page would send it. */
const TOKEN = 'demo-token-acme';

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** The account's messages once every delivery has an outcome (bounded: 20 s). */
async function settledMessages(shop: string): Promise<MessageOut[]> {
  for (let poll = 0; poll < 200; poll += 1) {
    const { data } = await call<{ data: MessageOut[] }>('GET', `${shop}/webhooks/messages`);
    if (data.length > 0 && data.every((m) => m.deliveries.every((d) => d.state !== 'pending'))) return data;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the payment-success message was not delivered within 20 s');
}

/**
 * Starts the shop (the sender) and a subscriber (the receiver) and prints their addresses, then, as the
 * account acct_acme: registers the receiver's endpoint through the management API, pays, lets the
 * receiver verify the webhook, reads the message and its attempts back through the API, and prints a
 * link to the webhook portal (POST /portal-links). It then
 * stops, or with `--serve` keeps serving until SIGINT/SIGTERM. PORT and RECEIVER_PORT choose the ports
 * (0: any free one).
 */
async function main(): Promise<void> {
  const host = '127.0.0.1';
  const sender = await createSenderApp();
  await sender.listen(Number(process.env.PORT ?? 3000), host);
  const shop = await sender.getUrl();
  const receiver = await listenReceiver(Number(process.env.RECEIVER_PORT ?? 4000), host);
  console.log(JSON.stringify({ shop, docs: `${shop}/docs`, receiver: receiver.url }));
  const stop = async (): Promise<void> => {
    await sender.close();
    await receiver.close();
  };

  const { endpoint, secret } = await call<{ endpoint: { id: string; url: string }; secret: string }>(
    'POST',
    `${shop}/webhooks/endpoints`,
    { url: `${receiver.url}/webhooks/payments`, events: ['payment-success'], description: 'demo receiver' },
  );
  console.log(`shop: registered ${endpoint.id} → ${endpoint.url} for acct_acme (POST /webhooks/endpoints)`);
  await receiver.start(secret);

  await call('POST', `${shop}/payments`, {
    order_id: '6f1c1e9e-8d1a-4a51-9a47-0b7c1f0e2d10',
    payment_amount: 4200,
    user_id: 'u_1',
  });
  for (const message of await settledMessages(shop)) {
    const deliveries = message.deliveries.map(
      (d) =>
        `${d.endpointId} ${d.state} (${d.attempts.map((a) => `#${a.attempt}: ${a.status ?? 'no answer'}`).join(', ')})`,
    );
    console.log(
      `shop: ${message.id} ${message.event} of ${message.owner}: ${deliveries.join('; ')} (GET /webhooks/messages)`,
    );
  }

  const portal = await call<{ url: string; expiresAt: string }>('POST', `${shop}/portal-links`);
  console.log(`portal: ${shop}${portal.url} (acct_acme, until ${portal.expiresAt}; POST /portal-links)`);

  if (!process.argv.includes('--serve')) return stop();
  console.log(`serving: ${shop}/docs; Ctrl-C stops`);
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
