import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Builds examples/nestjs-app against the built package (as an application would use hookspec), boots it
 * on loopback with free ports, and uses it over HTTP. Needs `npm run build` first, as `npm test` does.
 */
const root = join(__dirname, '..', '..');
const example = join(root, 'examples', 'nestjs-app');

interface Addresses {
  shop: string;
  docs: string;
  receiver: string;
}

let child: ChildProcess | undefined;
let urls: Addresses;

/** The first line the example prints: where it listens. Bounded: fails after `timeoutMs`. */
function firstLine(process: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    const timer = setTimeout(
      () => reject(new Error(`the example printed nothing in ${timeoutMs} ms: ${errors}`)),
      timeoutMs,
    );
    process.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    process.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const newline = output.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(output.slice(0, newline));
      }
    });
    process.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the example exited with ${code}: ${errors}`));
    });
  });
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('spec/examples needs the built package: run `npm run build` first.');
  }
  // Compiles the example and checks that its committed openapi.json is what the CLI writes.
  execFileSync(process.execPath, [join(example, 'build.cjs'), '--check'], { cwd: root, stdio: 'pipe' });
  child = spawn(process.execPath, [join(example, 'dist', 'main.js')], {
    cwd: root,
    env: { ...process.env, PORT: '0', RECEIVER_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  urls = JSON.parse(await firstLine(child, 20_000)) as Addresses;
}, 120_000);

afterAll(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child?.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
});

async function expectValid31(document: unknown): Promise<void> {
  const result = await new Validator().validate(JSON.parse(JSON.stringify(document)));
  expect(result.errors).toBeUndefined();
  expect(result.valid).toBe(true);
}

describe('examples/nestjs-app', () => {
  it('listens on loopback', () => {
    for (const url of [urls.shop, urls.receiver]) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves a Swagger document with its routes and the three webhooks, valid OpenAPI 3.1', async () => {
    const response = await fetch(`${urls.shop}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenAPIObject;
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.webhooks ?? {})).toEqual(['new-subscription', 'payment-success', 'stock-changed']);
    expect(Object.keys(document.paths ?? {})).toEqual(['/payments', '/webhook-endpoints']);
    await expectValid31(document);

    // The route's response and the webhook's body are one schema.
    const ref = { $ref: '#/components/schemas/PaymentSuccess' };
    const routeResponse = document.paths?.['/payments']?.post?.responses?.['201'] as {
      content: Record<string, { schema: unknown }>;
    };
    const webhookBody = document.webhooks?.['payment-success']?.post?.requestBody as {
      content: Record<string, { schema: unknown }>;
    };
    expect(routeResponse.content['application/json']?.schema).toEqual(ref);
    expect(webhookBody.content['application/json']?.schema).toEqual(ref);
    expect(document.components?.schemas?.PaymentSuccess).toMatchObject({
      properties: { payment_amount: { type: 'integer', exclusiveMinimum: 0, description: 'Amount paid, in cents.' } },
      required: ['order_id', 'payment_amount', 'payment_time', 'user_id'],
    });
  });

  it('writes the webhooks document with the CLI at build time, valid OpenAPI 3.1', async () => {
    const written = JSON.parse(readFileSync(join(example, 'openapi.json'), 'utf8')) as OpenAPIObject;
    expect(Object.keys(written.webhooks ?? {})).toEqual(['new-subscription', 'payment-success', 'stock-changed']);
    await expectValid31(written);
  });

  it('lists the registered endpoint without its secret', async () => {
    const endpoints = (await (await fetch(`${urls.shop}/webhook-endpoints`)).json()) as Record<string, unknown>[];
    expect(endpoints).toEqual([
      { id: expect.any(String), url: `${urls.receiver}/webhooks/payments`, events: ['payment-success'], enabled: true },
    ]);
  });

  it('refuses an endpoint for an unknown webhook with 400', async () => {
    const response = await fetch(`${urls.shop}/webhook-endpoints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/x', events: ['nope'] }),
    });
    expect(response.status).toBe(400);
  });

  it('delivers payment-success to the Nest receiver, which verifies and validates it', async () => {
    const payment = { order_id: '6f1c1e9e-8d1a-4a51-9a47-0b7c1f0e2d10', payment_amount: 4200, user_id: 'u_1' };
    const response = await fetch(`${urls.shop}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payment),
    });
    expect(response.status).toBe(201);

    let received: { id: string; payment: Record<string, unknown> }[] = [];
    for (let poll = 0; poll < 100 && received.length === 0; poll += 1) {
      received = (await (await fetch(`${urls.receiver}/received`)).json()) as typeof received;
      if (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(received).toEqual([
      { id: expect.stringMatching(/^msg_/), payment: { ...payment, payment_time: expect.any(String) } },
    ]);
  });
});
