import { plainToInstance } from 'class-transformer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserSignup } from '../management/fixtures';
import { axeViolations, focusedText, launch, openPage, skipBrowser } from './browser';
import { buildPortalAssets, startPortalApp } from './portal-app';
import type { PortalApp } from './portal-app';

/*
 * The message list as a customer narrows it: by delivery status, by event, by time, and a page at a time
 * through the API's cursors; and the whole page driven from the keyboard alone.
 */

const OWNER = 'acct_list';

/** The message ids the list shows, top to bottom. */
async function listedIds(page: Page): Promise<string[]> {
  return page.locator('main tbody tr td:first-child code').filter({ hasText: /^msg_/ }).allInnerTexts();
}

describe.skipIf(skipBrowser)('the message list in a browser', () => {
  let app: PortalApp;
  let browser: Browser;
  let removeAssets = () => {};
  const invoices: string[] = [];
  let failed = '';
  let signup = '';

  beforeAll(async () => {
    removeAssets = buildPortalAssets();
    app = await startPortalApp();
    browser = await launch();
    await app.admin.createEndpoint(OWNER, { url: `${app.receiver.url}/hooks/list` });
    for (let n = 0; n < 22; n++) invoices.push(await app.sendInvoice(OWNER, `in_${n}`));
    signup = (
      await app.client.send(plainToInstance(UserSignup, { username: 'ada', email: 'ada@example.com', credits: 3 }), {
        owner: OWNER,
      })
    ).id;
    await app.receiver.waitFor(23);
    app.setFailing(true);
    failed = await app.sendInvoice(OWNER, 'in_failed');
    await app.receiver.waitFor(25);
    // Its second and last attempt has failed; the record says so a moment later.
    for (let tries = 0; (await app.admin.getMessage(OWNER, failed)).deliveries[0]?.status !== 'exhausted'; tries++) {
      if (tries > 100) throw new Error(`${failed} did not end exhausted`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    app.setFailing(false);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    removeAssets();
  });

  it('pages through the messages, newest first, with Next and Previous', async () => {
    const { page } = await openPage(browser);
    await page.goto(app.pageUrl(OWNER, ['view']));
    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await page.getByRole('navigation', { name: 'Message pages' }).waitFor();
    // The API's order (newest first; messages of one millisecond by id), in pages of 20.
    const pageOne = (await app.admin.listMessages(OWNER, { limit: 20 })).items.map((view) => view.message.id);
    const first = await listedIds(page);
    expect(first).toEqual(pageOne);
    expect(first[0]).toBe(failed);
    // Hold the second page's answer: while it loads, the last page's rows and its Next button are gone,
    // so "Page 2" never stands beside page 1's rows and Next cannot be pressed twice on one cursor.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/messages\?.*cursor=/, async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('button', { name: 'Next page' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Loading messages/ })
      .waitFor();
    expect(await listedIds(page)).toEqual([]);
    expect(await page.getByRole('button', { name: 'Next page' }).count()).toBe(0);
    release();
    await page.getByText('Page 2').waitFor();
    const second = await listedIds(page);
    expect([...first, ...second].sort()).toEqual([failed, signup, ...invoices].sort());
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 1').waitFor();
    expect(await listedIds(page)).toEqual(first);
  }, 30_000);

  it('filters by delivery status, by event, and by time, and says when nothing matches', async () => {
    const { page } = await openPage(browser);
    await page.goto(app.pageUrl(OWNER, ['view']));
    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await page.getByLabel('Delivery status').selectOption({ label: 'Failed' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => listedIds(page)).toEqual([failed]);
    expect(new URL(page.url()).hash).toBe('#/messages?status=exhausted');

    await page.getByRole('link', { name: 'Clear' }).click();
    await page.getByLabel('Event').selectOption('user.signup');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => listedIds(page)).toEqual([signup]);

    await page.getByRole('link', { name: 'Clear' }).click();
    // From tomorrow, in the viewer's own zone: nothing yet.
    const tomorrow = new Date(Date.now() + 24 * 60 * 60 * 1000);
    const local = await page.evaluate((ms) => {
      const date = new Date(ms);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
    }, tomorrow.getTime());
    await page.getByLabel(/^From/).fill(local);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No message matches these filters').waitFor();
    expect(await axeViolations(page)).toEqual([]);
  }, 30_000);

  it('works from the keyboard alone: skip link, navigation, a message, its attempt', async () => {
    const { page } = await openPage(browser);
    await page.goto(app.pageUrl(OWNER, ['view']));
    await page.locator('main h1').waitFor();
    // The page opens with the focus at its start: the first Tab reaches the skip link.
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Skip to content');
    // Tab on to the Messages link, and open it with Enter.
    for (let n = 0; n < 10 && (await focusedText(page)) !== 'Messages'; n++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'invoice.paid' }).first().focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    await page.getByRole('button', { name: 'Details of attempt 1' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Attempt 1', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Hide of attempt 1' }).getAttribute('aria-expanded')).toBe('true');
  }, 30_000);
});
