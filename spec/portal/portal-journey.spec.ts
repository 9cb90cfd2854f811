import { verifyWebhook } from 'hookspec';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  axeViolations,
  goToView,
  launch,
  openPage,
  overflowsSideways,
  screenshot,
  skipBrowser,
} from './browser';
import type { WatchedPage } from './browser';
import { FAILURE_BODY, buildPortalAssets, requestsWithId, startPortalApp } from './portal-app';
import type { PortalApp } from './portal-app';

/*
 * A customer's whole visit, in a real browser against a real app: open the link, add an endpoint on a
 * loopback receiver, watch the app's webhooks arrive with their attempts, resend one that failed, rotate
 * the secret; every screen checked by axe-core at desktop and phone width, and saved as a screenshot.
 */

const OWNER = 'acct_a';
const HOOKS = '/hooks/a';

/** Every screen the customer saw, to check again at phone width. */
const screens = new Map<string, string>();

async function check(watched: WatchedPage, name: string): Promise<void> {
  const { page } = watched;
  await page.locator('main h1').waitFor();
  expect(await axeViolations(page), `axe on ${name}`).toEqual([]);
  await screenshot(page, name);
  screens.set(name, new URL(page.url()).hash);
}

/** Clicks Refresh until a delivery state's badge shows (the list is not live), for at most 10 seconds. */
async function refreshUntil(page: Page, badge: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (
    (await page
      .locator('main .badge')
      .filter({ hasText: new RegExp(`^${badge}$`) })
      .count()) === 0
  ) {
    if (Date.now() > deadline) throw new Error(`"${badge}" did not appear on ${page.url()}`);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForTimeout(250);
  }
}

describe.skipIf(skipBrowser)('the portal in a browser', () => {
  let app: PortalApp;
  let browser: Browser;
  let removeAssets = () => {};
  let watched: WatchedPage;

  beforeAll(async () => {
    removeAssets = buildPortalAssets();
    app = await startPortalApp();
    browser = await launch();
    watched = await openPage(browser, DESKTOP);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    removeAssets();
  });

  it('opens with the token from the fragment, then takes the token out of the address bar', async () => {
    const { page } = watched;
    await page.goto(app.pageUrl(OWNER));
    await expect.poll(() => page.getByText('No endpoints yet').isVisible()).toBe(true);
    expect(page.url()).not.toContain('hsp_');
    expect(new URL(page.url()).hash).toBe('#/endpoints');
    expect(await page.getByText(`Account ${OWNER}`).isVisible()).toBe(true);
    await check(watched, 'endpoints-empty');
  }, 30_000);

  let secret = '';
  let endpointId = '';

  it('adds an endpoint for one event and shows its secret once', async () => {
    const { page } = watched;
    await page.getByRole('link', { name: 'Add an endpoint' }).click();
    await check(watched, 'endpoint-form');
    await page.getByLabel('Endpoint URL').fill(`${app.receiver.url}${HOOKS}`);
    await page.getByLabel('Description (optional)').fill('Billing server');
    await page.getByLabel('Only the events I choose').check();
    await page.getByRole('checkbox', { name: /invoice\.paid/ }).check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();

    await page.getByRole('heading', { name: 'Your signing secret' }).waitFor();
    secret = (await page.locator('[data-secret]').innerText()).trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    const [stored] = (await app.admin.listEndpoints(OWNER)).items;
    endpointId = stored?.id ?? '';
    expect(stored).toMatchObject({
      url: `${app.receiver.url}${HOOKS}`,
      events: ['invoice.paid'],
      description: 'Billing server',
    });
    expect(new URL(page.url()).hash).toBe(`#/endpoints/${endpointId}`);
    await check(watched, 'endpoint-created');

    await page.getByRole('button', { name: 'I have stored it, hide it' }).click();
    expect(await page.locator('[data-secret]').count()).toBe(0);
    await page.reload();
    await page.locator('main h1').waitFor();
    expect(await page.content()).not.toContain(secret);
  }, 30_000);

  it("shows the app's webhook delivered, with its attempt's request headers and response", async () => {
    const { page } = watched;
    const id = await app.sendInvoice(OWNER, 'in_100');
    const [received] = await app.receiver.waitFor(1, HOOKS);
    // The secret the page showed is the one the app signs with.
    expect(verifyWebhook(received?.body ?? '', received?.headers ?? {}, secret)).toMatchObject({
      invoice_id: 'in_100',
    });

    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await refreshUntil(page, 'Delivered');
    await check(watched, 'messages');
    await page.getByRole('link', { name: 'invoice.paid' }).first().click();
    await page.getByRole('button', { name: 'Details of attempt 1' }).click();
    const attempt = page.getByRole('region', { name: 'Attempt 1', exact: true });
    const text = await attempt.innerText();
    expect(text).toContain(`webhook-id\n${id}`);
    expect(text).toContain(`webhook-timestamp\n${received?.headers['webhook-timestamp']}`);
    expect(text).toMatch(/webhook-signature\nv1,… \(redacted\)/);
    expect(text).not.toContain(String(received?.headers['webhook-signature']).slice(3, 20));
    expect(text).toMatch(/user-agent\nhookspec\/\d+\.\d+\.\d+/);
    expect(text).toContain('HTTP status 204');
    await check(watched, 'message-delivered');
  }, 30_000);

  it("shows a failing receiver's attempts, then resends the message once it is fixed", async () => {
    const { page } = watched;
    app.setFailing(true);
    const id = await app.sendInvoice(OWNER, 'in_200');
    await app.receiver.waitFor(2, HOOKS);
    await page.goto(`${app.api}/portal#/messages/${id}`);
    // The page refreshes a message on its way by itself.
    await page
      .locator('main .badge')
      .filter({ hasText: /^Failed$/ })
      .waitFor();
    await page.getByRole('button', { name: 'Details of attempt 2' }).click();
    const attempt = page.getByRole('region', { name: 'Attempt 2', exact: true });
    expect(await attempt.innerText()).toContain('HTTP status 500');
    expect(await attempt.innerText()).toContain(FAILURE_BODY);
    await check(watched, 'message-failed');

    app.setFailing(false);
    await page.getByRole('button', { name: 'Resend the message' }).click();
    await page.getByText('Resent to 1 endpoint.').waitFor();
    await refreshUntil(page, 'Delivered');
    expect(await page.getByRole('cell', { name: 'HTTP 204' }).count()).toBe(1);
    const attempts = requestsWithId(app.receiver, HOOKS, id);
    expect(attempts.map((request) => request.body)).toEqual([attempts[0]?.body, attempts[0]?.body, attempts[0]?.body]);
  }, 30_000);

  it('recovers the deliveries that failed since a time', async () => {
    const { page } = watched;
    app.setFailing(true);
    const id = await app.sendInvoice(OWNER, 'in_250');
    await expect.poll(() => requestsWithId(app.receiver, HOOKS, id).length).toBe(2);
    await expect.poll(async () => (await app.admin.getMessage(OWNER, id)).deliveries[0]?.status).toBe('exhausted');
    app.setFailing(false);

    await page.goto(`${app.api}/portal#/endpoints/${endpointId}`);
    // The default: the last 24 hours, in the viewer's zone.
    await page.getByRole('button', { name: 'Recover' }).click();
    await page.getByText('1 delivery starts again.').waitFor();
    await expect.poll(() => requestsWithId(app.receiver, HOOKS, id).length).toBe(3);
    await expect.poll(async () => (await app.admin.getMessage(OWNER, id)).deliveries[0]?.status).toBe('delivered');
  }, 30_000);

  it('rotates the secret: the new one is shown once, and the next webhook verifies with it', async () => {
    const { page } = watched;
    await page.goto(`${app.api}/portal#/endpoints/${endpointId}`);
    await page.getByRole('button', { name: 'Rotate the secret…' }).click();
    await page.getByRole('button', { name: 'Rotate the secret', exact: true }).click();
    await page.getByRole('heading', { name: 'Your signing secret' }).waitFor();
    const rotated = (await page.locator('[data-secret]').innerText()).trim();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);

    const id = await app.sendInvoice(OWNER, 'in_300');
    await expect.poll(() => requestsWithId(app.receiver, HOOKS, id).length).toBe(1);
    const [request] = requestsWithId(app.receiver, HOOKS, id);
    expect(verifyWebhook(request?.body ?? '', request?.headers ?? {}, rotated)).toMatchObject({ invoice_id: 'in_300' });
  }, 30_000);

  it('sends a test event, changes the endpoint, disables and enables it', async () => {
    const { page } = watched;
    await page.getByRole('button', { name: 'I have stored it, hide it' }).click();
    const before = app.receiver.on(HOOKS).length;
    await page.getByRole('button', { name: 'Send a test event' }).click();
    await page.getByRole('link', { name: 'Follow its delivery' }).waitFor();
    await expect.poll(() => app.receiver.on(HOOKS).length).toBe(before + 1);
    expect(JSON.parse(app.receiver.on(HOOKS)[before]?.body ?? '{}')).toMatchObject({ invoice_id: 'in_1' });
    await check(watched, 'endpoint-detail');

    await page.getByRole('link', { name: 'Change URL or events' }).click();
    await page.getByLabel('Description (optional)').fill('Billing server, new');
    await page.getByLabel('All events, including those added later').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Billing server, new').waitFor();
    expect(await app.admin.getEndpoint(OWNER, endpointId)).toMatchObject({ description: 'Billing server, new' });
    expect((await app.admin.getEndpoint(OWNER, endpointId)).events).toBeUndefined();

    await page.getByRole('button', { name: 'Disable' }).click();
    await page
      .getByText(/^Disabled/)
      .first()
      .waitFor();
    expect((await app.admin.getEndpoint(OWNER, endpointId)).enabled).toBe(false);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor();
    expect((await app.admin.getEndpoint(OWNER, endpointId)).enabled).toBe(true);
  }, 30_000);

  it('shows the event catalogue with each field and an example, and the receiving guide', async () => {
    const { page } = watched;
    await page.getByRole('link', { name: 'Event types' }).click();
    const fields = page.getByRole('region', { name: 'Fields of invoice.paid' });
    await fields.getByRole('row', { name: /amount\.cents integer Yes/ }).waitFor();
    expect(await page.getByRole('region', { name: 'Example body of invoice.paid' }).innerText()).toContain('"in_1"');
    await check(watched, 'event-types');

    await page.getByRole('link', { name: 'Receiving guide' }).click();
    expect(await page.getByRole('region', { name: /Receiver \(Node\.js \(hookspec\)\)/ }).innerText()).toContain(
      "require('hookspec')",
    );
    await page.getByLabel('Language').selectOption({ label: 'Go (standard-webhooks)' });
    expect(await page.getByRole('region', { name: /Receiver \(Go/ }).innerText()).toContain(
      'github.com/standard-webhooks/standard-webhooks/libraries/go',
    );
    await check(watched, 'guide');
  }, 30_000);

  it('is usable on a 375 px screen: every screen without serious axe violations and without sideways scrolling', async () => {
    const phone = await openPage(browser, PHONE);
    await phone.page.goto(app.pageUrl(OWNER));
    await phone.page.locator('main h1').waitFor();
    for (const [name, hash] of screens) {
      await goToView(phone.page, hash);
      await phone.page.locator('main h1').waitFor();
      await phone.page.waitForLoadState('networkidle');
      expect(await axeViolations(phone.page), `axe on ${name} at 375 px`).toEqual([]);
      expect(await overflowsSideways(phone.page), `${name} at 375 px`).toEqual([]);
      await screenshot(phone.page, `${name}-375`);
    }
    expect(phone.problems).toEqual([]);
    expect(phone.elsewhere).toEqual([]);
  }, 60_000);

  it('deletes the endpoint after asking', async () => {
    const { page } = watched;
    await page.goto(`${app.api}/portal#/endpoints/${endpointId}`);
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete the endpoint' }).click();
    await page.getByText('No endpoints yet').waitFor();
    expect((await app.admin.listEndpoints(OWNER)).items).toEqual([]);
  }, 30_000);

  it('ran under the CSP without an error and without a request off the app', () => {
    expect(watched.problems).toEqual([]);
    expect(watched.elsewhere).toEqual([]);
  });
});
