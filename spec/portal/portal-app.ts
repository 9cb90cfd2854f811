import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import express from 'express';
import { MemoryEndpointStore, MemoryQueue, WebhookAdmin, WebhookClient } from 'hookspec';
import type { PortalCapability } from 'hookspec';
import { webhookAdminRouter } from '../../lib/frameworks/express';
import { usePortalAssetDirectory } from '../../lib/management/http/portal-page';
import { InvoicePaid, LOOPBACK, WEBHOOKS } from '../management/fixtures';
import { startRecordingServer } from '../support/recording-server';
import type { RecordedRequest, RecordingServer } from '../support/recording-server';

/*
 * An app as a sender runs it: a real WebhookClient and WebhookAdmin, the Express router mounted at
 * /webhooks with the portal on, its own authorize refusing everyone (only portal tokens get in), and a
 * loopback receiver whose answers the test switches between success and failure.
 */

export const ALL_CAPABILITIES: readonly PortalCapability[] = ['view', 'manage-endpoints', 'view-secret', 'resend'];

export interface PortalApp {
  readonly client: WebhookClient<typeof WEBHOOKS>;
  readonly admin: WebhookAdmin;
  readonly receiver: RecordingServer;
  /** `http://127.0.0.1:<port>/webhooks`: the API; the page is at `${api}/portal`. */
  readonly api: string;
  /** The page's URL with a new token for `owner` in its fragment. */
  pageUrl(owner: string | null, capabilities?: readonly PortalCapability[], ttlMs?: number): string;
  /** The receiver answers 500 with a body while failing, 204 otherwise. */
  setFailing(failing: boolean): void;
  /** The app sends an invoice.paid to `owner`'s endpoints; resolves with the message id. */
  sendInvoice(owner: string, invoiceId: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The page's assets, built from portal/src now into a directory of this spec file's own (spec files run
 * at once, and must not write dist/portal under each other), and served from there: the browser runs the
 * page as this tree has it. Answers the function that removes them.
 */
export function buildPortalAssets(): () => void {
  const directory = mkdtempSync(join(tmpdir(), 'hookspec-portal-'));
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build-portal.cjs'), directory], {
    stdio: 'inherit',
  });
  usePortalAssetDirectory(directory);
  return () => {
    usePortalAssetDirectory(undefined);
    rmSync(directory, { recursive: true, force: true });
  };
}

export const FAILURE_BODY = 'down for maintenance';

export async function startPortalApp(): Promise<PortalApp> {
  let failing = false;
  const receiver = await startRecordingServer({
    answer: () => (failing ? { status: 500, body: FAILURE_BODY } : { status: 204 }),
  });
  const client = new WebhookClient({
    webhooks: WEBHOOKS,
    endpoints: new MemoryEndpointStore(),
    queue: new MemoryQueue(),
    allowNetworks: LOOPBACK,
    // Two attempts, close together: a failing receiver exhausts a delivery within the test.
    retry: { schedule: [200], jitter: 0 },
  });
  const admin = new WebhookAdmin(client, { portalSecret: 'a-portal-signing-key-of-at-least-32-characters' });
  const app = express();
  app.use(
    '/webhooks',
    webhookAdminRouter(admin, {
      authorize: () => undefined,
      portal: true,
    }),
  );
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  return {
    client,
    admin,
    receiver,
    api,
    pageUrl: (owner, capabilities = ALL_CAPABILITIES, ttlMs = 10 * 60 * 1000) =>
      `${api}/portal#token=${admin.portalToken({ owner, capabilities, ttlMs })}`,
    setFailing: (value) => {
      failing = value;
    },
    sendInvoice: async (owner, invoiceId) => {
      const invoice = plainToInstance(InvoicePaid, {
        invoice_id: invoiceId,
        amount: { cents: 1200, currency: 'EUR' },
        paid_at: '2026-12-01T10:00:00.000Z',
      });
      return (await client.send(invoice, { owner })).id;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await admin.close();
      await client.close();
      await receiver.close();
    },
  };
}

/** The requests the receiver got on one path, with one `webhook-id`. */
export function requestsWithId(receiver: RecordingServer, path: string, id: string): RecordedRequest[] {
  return receiver.on(path).filter((request) => request.headers['webhook-id'] === id);
}
