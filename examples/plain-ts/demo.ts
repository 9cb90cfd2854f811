import 'reflect-metadata';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSecret, verifySignature, WebhookClient } from 'hookspec';
import { InventoryWebhooks, PaymentSuccess, StockChange, StockDirection, Subscription } from './webhooks';

/**
 * The demo: a local receiver that refuses the first attempt of every message, and a WebhookClient that
 * sends the three example events to it with a short retry schedule. It prints each attempt, the retry
 * and the verified delivery, then exits.
 */
async function main(): Promise<void> {
  const secret = generateSecret();
  const seen = new Set<string>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      const verified = verifySignature(
        { id, timestamp: Number(req.headers['webhook-timestamp']), body },
        String(req.headers['webhook-signature']),
        secret,
      );
      if (!verified) {
        res.writeHead(401).end();
        return;
      }
      if (!seen.has(id)) {
        seen.add(id);
        console.log(`  receiver: ${id} signature ok, answering 503 to show a retry`);
        res.writeHead(503, { 'retry-after': '1' }).end();
        return;
      }
      console.log(`  receiver: ${id} signature ok, accepted: ${body}`);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;

  const client = new WebhookClient({
    webhooks: [Subscription, InventoryWebhooks],
    endpoints: [{ id: 'demo-receiver', url, secret }],
    // The SSRF guard refuses loopback unless it is opened on purpose, as here for a local demo.
    allowNetworks: ['127.0.0.0/8'],
    retry: { schedule: [500, 1_000] },
  });
  client.on('attempt', (e) =>
    console.log(
      `  client:   ${e.event} ${e.messageId} attempt ${e.attempt.attempt}: ${e.attempt.status ?? e.attempt.errorCode}`,
    ),
  );
  client.on('retry-scheduled', (e) => console.log(`  client:   retry in ${e.delayMs} ms (${e.reason})`));
  client.on('delivered', (e) => console.log(`  client:   delivered ${e.event} to ${e.endpointId}`));
  client.on('exhausted', (e) => console.log(`  client:   gave up on ${e.event}: ${e.reason}`));

  console.log(`hookspec demo: sending 3 webhooks to ${url}`);
  await client.send(
    Object.assign(new Subscription(), {
      username: 'ada',
      monthly_fee: 9.99,
      start_date: new Date('2026-12-01T09:00:00Z'),
    }),
  );
  await client.send(
    Object.assign(new PaymentSuccess(), {
      order_id: '3f1c1f9e-6a55-4c57-9a4f-7d3f2d1b9c10',
      payment_amount: 4200,
      payment_time: new Date(),
      user_id: 'u-7',
    }),
  );
  await client.send(Object.assign(new StockChange(), { sku: 'A-1', quantity: 3, direction: StockDirection.Down }));
  await client.drain();
  await client.close();
  receiver.close();
  console.log('hookspec demo: every webhook delivered and verified');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
