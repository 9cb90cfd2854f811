import 'reflect-metadata';
import { createSenderApp } from './sender';
import { listenReceiver } from './receiver';

/**
 * Starts the shop (the sender) and a subscriber (the receiver), registers the subscriber's endpoint
 * through the shop's management API, and prints where everything is. PORT and RECEIVER_PORT choose the
 * ports (0: any free one). Then:
 *
 *   curl -X POST <shop>/payments -H 'content-type: application/json' \
 *     -d '{"order_id":"6f1c1e9e-8d1a-4a51-9a47-0b7c1f0e2d10","payment_amount":4200,"user_id":"u_1"}'
 *
 * and the receiver prints the verified webhook; <receiver>/received lists them.
 */
async function main(): Promise<void> {
  const host = '127.0.0.1';
  const sender = await createSenderApp();
  await sender.listen(Number(process.env.PORT ?? 3000), host);
  const shop = await sender.getUrl();
  const receiver = await listenReceiver(Number(process.env.RECEIVER_PORT ?? 4000), host);

  const response = await fetch(`${shop}/webhook-endpoints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: `${receiver.url}/webhooks/payments`, events: ['payment-success'] }),
  });
  if (response.status !== 201)
    throw new Error(`registering the endpoint failed: ${response.status} ${await response.text()}`);
  const { secret } = (await response.json()) as { secret: string };
  await receiver.start(secret);

  console.log(JSON.stringify({ shop, docs: `${shop}/docs`, receiver: receiver.url }));

  const stop = async (): Promise<void> => {
    await sender.close();
    await receiver.close();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
