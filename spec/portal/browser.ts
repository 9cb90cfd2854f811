import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

/*
 * The browser the portal specs drive: Debian's chromium through playwright-core, every request off
 * 127.0.0.1 refused and recorded, page errors and CSP violations recorded, axe-core run in the page.
 */

export const CHROMIUM = '/usr/bin/chromium';
export const installed = existsSync(CHROMIUM);
/** Outside CI a machine without chromium skips the browser specs; CI installs it (.ci/run), and there they must run. */
export const skipBrowser = !installed && process.env.CI !== 'true';

const ARTIFACTS = join(__dirname, '..', '..', 'artifacts', 'portal');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/*
 * The functions given to page.evaluate run in chromium. The spec program has no DOM lib (Node's types
 * only), so they see the few browser globals they use through these shapes.
 */
interface PageElement {
  readonly tagName: string;
  readonly className: string;
  readonly textContent: string | null;
  readonly parentElement: PageElement | null;
  getBoundingClientRect(): { readonly right: number };
}
interface AxeResults {
  readonly violations: readonly {
    readonly id: string;
    readonly impact: string | null;
    readonly help: string;
    readonly nodes: readonly { readonly target: readonly unknown[] }[];
  }[];
}
declare const window: {
  readonly innerWidth: number;
  readonly location: { hash: string };
  readonly sessionStorage: { readonly length: number };
  readonly axe?: { run(context: unknown, options: object): Promise<AxeResults> };
};
declare const document: {
  readonly documentElement: { readonly scrollWidth: number };
  readonly activeElement: PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};
declare function getComputedStyle(element: PageElement): { readonly overflowX: string };

export const DESKTOP = { width: 1100, height: 800 };
export const PHONE = { width: 375, height: 740 };

export interface WatchedPage {
  readonly page: Page;
  /** Requests the page tried to make off loopback (refused). */
  readonly elsewhere: string[];
  /** Uncaught errors and CSP violations. */
  readonly problems: string[];
}

export async function launch(): Promise<Browser> {
  if (!installed) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

export async function openPage(browser: Browser, viewport = DESKTOP): Promise<WatchedPage> {
  // Its own context per page: sessionStorage (where the page keeps its token) is not shared.
  const context = await browser.newContext({ viewport, timezoneId: 'Europe/Paris', locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const elsewhere: string[] = [];
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol.startsWith('http') && url.hostname !== '127.0.0.1') {
      elsewhere.push(url.href);
      return route.abort();
    }
    return route.continue();
  });
  return { page, elsewhere, problems };
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/**
 * axe-core's serious and critical violations on the page as it is now. Its source is evaluated through
 * the DevTools protocol, which the page's CSP (script-src 'self') does not govern.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => window.axe !== undefined))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const results = await (window.axe as NonNullable<typeof window.axe>).run(document, {
      resultTypes: ['violations'],
    });
    return results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.map((node) => JSON.stringify(node.target)),
      }));
  });
}

/** What makes the page wider than the viewport (a phone's page that scrolls sideways); empty when nothing does. */
export async function overflowsSideways(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    if (document.documentElement.scrollWidth <= window.innerWidth) return [];
    // The widest culprits, to say what to fix: elements whose right edge is past the viewport.
    const clipped = (element: PageElement): boolean =>
      element.parentElement !== null &&
      (getComputedStyle(element.parentElement).overflowX !== 'visible' || clipped(element.parentElement));
    const culprits = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(element))
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className} ${element.textContent?.slice(0, 40)}`);
    return culprits.length > 0 ? culprits : [`the page is ${document.documentElement.scrollWidth} px wide`];
  });
}

/** Goes to a view of the page (`#/messages/…`) as a link would, without reloading it. */
export async function goToView(page: Page, hash: string): Promise<void> {
  await page.evaluate((target) => {
    window.location.hash = target;
  }, hash);
}

/** The text of the element that has the keyboard focus. */
export async function focusedText(page: Page): Promise<string | null | undefined> {
  return page.evaluate(() => document.activeElement?.textContent);
}

/** How many items the page keeps in its tab's sessionStorage (the token, or nothing). */
export async function storedItems(page: Page): Promise<number> {
  return page.evaluate(() => window.sessionStorage.length);
}

/** Saves a screenshot of the page as a test artifact: artifacts/portal/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
