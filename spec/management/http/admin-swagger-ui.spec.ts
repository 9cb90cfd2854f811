import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { buildAdminOpenApi, buildOpenApi } from 'hookspec';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { WEBHOOKS } from '../fixtures';

/*
 * Swagger UI (swagger-ui-dist) renders the one spec an app publishes: its own routes, the management API
 * and its webhooks, in Debian's chromium driven by playwright-core, served from loopback. Every request
 * the page makes elsewhere is refused and recorded.
 */

const CHROMIUM = '/usr/bin/chromium';
const installed = existsSync(CHROMIUM);
const swaggerUi = dirname(require.resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>API</title><link rel="stylesheet" href="/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', validatorUrl: null, docExpansion: 'list' });</script>
</body></html>`;

function publishedSpec(): OpenAPIObject {
  const app: OpenAPIObject = {
    openapi: '3.1.0',
    info: { title: 'Shop', version: '2.0.0' },
    paths: { '/health': { get: { operationId: 'health', responses: { '200': { description: 'OK' } } } } },
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
  };
  const withAdmin = buildAdminOpenApi({ basePath: '/webhooks', document: app, security: [{ bearerAuth: [] }] });
  return buildOpenApi({ webhooks: [...WEBHOOKS], document: withAdmin });
}

async function serve(spec: object) {
  const files: Record<string, [string, string]> = {
    '/': ['text/html', PAGE],
    '/openapi.json': ['application/json', JSON.stringify(spec)],
    '/swagger-ui.css': ['text/css', readFileSync(join(swaggerUi, 'swagger-ui.css'), 'utf8')],
    '/swagger-ui-bundle.js': ['text/javascript', readFileSync(join(swaggerUi, 'swagger-ui-bundle.js'), 'utf8')],
  };
  const server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    res.writeHead(file ? 200 : 404, { 'content-type': file?.[0] ?? 'text/plain' });
    res.end(file?.[1] ?? 'not found');
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Swagger UI', () => {
  // Outside CI a machine without chromium skips this; CI installs it (.ci/run), and there it must run.
  it.skipIf(!installed && process.env.CI !== 'true')(
    "renders the app's routes, the management API and the webhooks without an error",
    async () => {
      expect(installed, `${CHROMIUM} is missing: apt-get install chromium`).toBe(true);
      const spec = publishedSpec();
      const site = await serve(spec);
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage();
        const elsewhere: string[] = [];
        const pageErrors: string[] = [];
        page.on('pageerror', (error) => pageErrors.push(error.message));
        await page.route('**/*', (route) => {
          const url = new URL(route.request().url());
          if (url.protocol.startsWith('http') && url.hostname !== '127.0.0.1') {
            elsewhere.push(url.href);
            return route.abort();
          }
          return route.continue();
        });
        await page.goto(site.url);
        const paths = Object.keys(spec.paths ?? {});
        // One entry per operation: a path served with two methods is rendered twice.
        const operations = paths.flatMap((path) => Object.keys(spec.paths?.[path] ?? {}).map(() => path));
        const webhooks = Object.keys(spec.webhooks ?? {});
        await page
          .locator('.opblock')
          .nth(operations.length + webhooks.length - 1)
          .waitFor({ timeout: 30_000 });

        expect(await page.locator('.swagger-ui .info .title').innerText()).toContain('Shop');
        // Paths and webhook names; a deprecated operation's (user.signup) is rendered struck through.
        const rendered = await page
          .locator('.opblock-summary-path, .opblock-summary-path__deprecated')
          .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-path')));
        expect(rendered.sort()).toEqual([...operations, ...webhooks].sort());
        expect(await page.locator('.opblock').count()).toBe(operations.length + webhooks.length);

        // An operation opened: its parameters, body and problem+json answers resolve and render.
        await page.locator('.opblock-summary-path[data-path="/webhooks/endpoints/{id}/recover"]').click();
        const opened = page.locator('.opblock.is-open');
        await opened.locator('.responses-table').waitFor({ timeout: 10_000 });
        const text = await opened.innerText();
        expect(text).toContain('application/problem+json');
        expect(text).toMatch(/unknown-endpoint/);
        expect(text).not.toMatch(/Resolver error|Could not resolve/);

        expect(await page.locator('.errors-wrapper').count()).toBe(0);
        expect(pageErrors).toEqual([]);
        expect(elsewhere).toEqual([]);
      } finally {
        await browser.close();
        await site.close();
      }
    },
    60_000,
  );
});
