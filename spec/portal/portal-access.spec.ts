import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  axeViolations,
  goToView,
  launch,
  openPage,
  screenshot,
  skipBrowser,
  storedItems,
} from './browser';
import { buildPortalAssets, startPortalApp } from './portal-app';
import type { PortalApp } from './portal-app';

/*
 * What a token lets its holder see and do in the page: one owner's data only, the controls of its
 * capabilities only (the others replaced by a sentence saying why), and nothing at all once it has
 * expired or was changed.
 */

describe.skipIf(skipBrowser)('portal access in a browser', () => {
  let app: PortalApp;
  let browser: Browser;
  let removeAssets = () => {};
  const ids = { a: { endpoint: '', message: '' }, b: { endpoint: '', message: '' } };

  beforeAll(async () => {
    removeAssets = buildPortalAssets();
    app = await startPortalApp();
    browser = await launch();
    for (const owner of ['a', 'b'] as const) {
      const { endpoint } = await app.admin.createEndpoint(`acct_${owner}`, {
        url: `${app.receiver.url}/hooks/${owner}`,
        description: `Server of ${owner}`,
      });
      ids[owner].endpoint = endpoint.id;
      ids[owner].message = await app.sendInvoice(`acct_${owner}`, `in_${owner}`);
    }
    await app.receiver.waitFor(2);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    removeAssets();
  });

  it("shows owner A's endpoints and messages and never owner B's", async () => {
    const { page, problems } = await openPage(browser);
    await page.goto(app.pageUrl('acct_a'));
    await page.getByText('Server of a').waitFor();
    expect(await page.getByText('Server of b').count()).toBe(0);
    expect(await page.content()).not.toContain(ids.b.endpoint);

    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await page.getByText(ids.a.message).waitFor();
    expect(await page.content()).not.toContain(ids.b.message);

    // B's ids typed into the address bar answer as if they did not exist.
    await goToView(page, `#/endpoints/${ids.b.endpoint}`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toMatch(/unknown|no endpoint|not found/i);
    expect(await page.content()).not.toContain('Server of b');
    await goToView(page, `#/messages/${ids.b.message}`);
    await page.getByRole('alert').waitFor();
    expect(await page.content()).not.toContain('in_b');
    await screenshot(page, 'other-owner-refused');
    expect(problems).toEqual([]);
  }, 30_000);

  it('hides what a view-only token cannot do, and says why', async () => {
    const { page } = await openPage(browser);
    await page.goto(app.pageUrl('acct_a', ['view']));
    await page.getByText('Server of a').waitFor();
    expect(await page.getByRole('link', { name: 'Add an endpoint' }).count()).toBe(0);
    expect(await page.getByText('This link does not allow you to add, change and delete endpoints.').count()).toBe(1);

    await page.getByRole('link', { name: /127\.0\.0\.1/ }).click();
    await page.getByRole('heading', { name: 'Manage' }).waitFor();
    for (const name of ['Disable', 'Delete…', 'Send a test event', 'Rotate the secret…', 'Recover']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    expect(await page.getByText(/add, change and delete endpoints or see signing secrets/).count()).toBe(1);
    expect(await page.getByText(/does not allow you to resend and recover deliveries/).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'view-only-endpoint');

    await goToView(page, `#/messages/${ids.a.message}`);
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    expect(await page.getByRole('button', { name: 'Resend the message' }).count()).toBe(0);
  }, 30_000);

  it('rotating without view-secret is not offered, even with manage-endpoints', async () => {
    const { page } = await openPage(browser);
    await page.goto(app.pageUrl('acct_a', ['view', 'manage-endpoints']));
    await page.getByText('Server of a').waitFor();
    await page.getByRole('link', { name: /127\.0\.0\.1/ }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor();
    expect(await page.getByRole('button', { name: 'Rotate the secret…' }).count()).toBe(0);
    expect(await page.getByText(/does not allow you to see signing secrets/).count()).toBe(1);
  }, 30_000);

  it('shows the expired screen for an expired token, at desktop and phone width', async () => {
    const url = app.pageUrl('acct_a', ['view'], 1000);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (const [viewport, name] of [
      [DESKTOP, 'expired'],
      [PHONE, 'expired-375'],
    ] as const) {
      const { page, problems } = await openPage(browser, viewport);
      await page.goto(url);
      await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
      expect(await page.content()).not.toContain('Server of a');
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, name);
      expect(problems).toEqual([]);
      // The refused token is forgotten: a reload does not try it again.
      expect(await storedItems(page)).toBe(0);
    }
  }, 30_000);

  it('shows the expired screen when the token expires while the page is open', async () => {
    const { page } = await openPage(browser);
    await page.goto(app.pageUrl('acct_a', ['view'], 3000));
    await page.getByText('Server of a').waitFor();
    await page.getByRole('heading', { name: 'This link has expired' }).waitFor({ timeout: 6000 });
    expect(await page.getByText('Server of a').count()).toBe(0);
  }, 30_000);

  it('refuses a tampered token: a changed owner is not valid', async () => {
    const url = app.pageUrl('acct_a', ['view']);
    const token = new URL(url).hash.slice('#token='.length);
    const [payload = '', signature] = token.slice('hsp_'.length).split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { o: string };
    const forged = Buffer.from(JSON.stringify({ ...claims, o: 'acct_b' })).toString('base64url');
    const { page } = await openPage(browser);
    await page.goto(`${app.api}/portal#token=hsp_${forged}.${signature}`);
    await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
    expect(await page.content()).not.toContain('Server of b');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'invalid');
  }, 30_000);

  it('says a link cut short is not valid, without calling the API', async () => {
    const url = app.pageUrl('acct_a', ['view']);
    const { page } = await openPage(browser);
    const calls: string[] = [];
    page.on('request', (request) => calls.push(new URL(request.url()).pathname));
    await page.goto(url.slice(0, url.indexOf('.', url.indexOf('#token='))));
    await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
    // The page and its two assets (and the browser's own favicon request), nothing of the API.
    expect(calls.filter((path) => !/^\/webhooks\/portal(\/portal\.(js|css))?$|favicon/.test(path))).toEqual([]);
    expect(calls).toContain('/webhooks/portal/portal.js');
    expect(page.url()).not.toContain('hsp_');
  }, 30_000);

  it('asks for the link when the page is opened without a token', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${app.api}/portal`);
    await page.getByRole('heading', { name: 'Open this page from your link' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
  }, 30_000);
});
