import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { OpenAPIObject, OperationObject } from 'openapi3-ts/oas31';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Builds examples/nestjs-app against the built package (as an application would use hookspec), runs it
 * with --serve on loopback with free ports (its demo registers acct_acme's endpoint, pays and reads the
 * message back, then it keeps serving), and uses it over HTTP. Needs `npm run build` first.
 */
const root = join(__dirname, '..', '..');
const example = join(root, 'examples', 'nestjs-app');
const ACME = 'demo-token-acme';
const GLOBEX = 'demo-token-globex';
const PAYMENT = { order_id: '6f1c1e9e-8d1a-4a51-9a47-0b7c1f0e2d10', payment_amount: 4200, user_id: 'u_1' };

interface Addresses {
  shop: string;
  docs: string;
  receiver: string;
}

interface MessageOut {
  id: string;
  event: string;
  owner?: string;
  payload: Record<string, unknown> | null;
  deliveries: { endpointId: string; url: string; state: string; attempts: { attempt: number; status?: number }[] }[];
}

let child: ChildProcess | undefined;
let urls: Addresses;
let demoOutput: string[];

/** The example's stdout lines up to the one starting with `marker`. Bounded: fails after `timeoutMs`. */
function linesUntil(process: ChildProcess, marker: string, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    const timer = setTimeout(
      () => reject(new Error(`the example did not print '${marker}' in ${timeoutMs} ms: ${output}${errors}`)),
      timeoutMs,
    );
    process.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    process.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const lines = output.split('\n');
      if (lines.some((line) => line.startsWith(marker))) {
        clearTimeout(timer);
        resolve(lines.filter((line) => line !== ''));
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
  child = spawn(process.execPath, [join(example, 'dist', 'main.js'), '--serve'], {
    cwd: root,
    env: { ...process.env, PORT: '0', RECEIVER_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demoOutput = await linesUntil(child, 'serving:', 30_000);
  urls = JSON.parse(demoOutput[0] as string) as Addresses;
}, 120_000);

afterAll(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child?.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
});

/** A request to the shop, as the account of `token` (none: anonymous). */
function shop(method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  return fetch(`${urls.shop}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function json<T>(response: Promise<Response>, status = 200): Promise<T> {
  const answer = await response;
  expect(answer.status).toBe(status);
  return (await answer.json()) as T;
}

function messagesOf(token: string): Promise<MessageOut[]> {
  return json<{ data: MessageOut[] }>(shop('GET', '/webhooks/messages', token)).then((page) => page.data);
}

/** Polls until `done` holds (bounded: 10 s), answering the last value. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let poll = 0; poll < 100 && !done(value); poll += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

const settled = (messages: MessageOut[]): boolean =>
  messages.every((message) => message.deliveries.every((delivery) => delivery.state !== 'pending'));

/** A subscriber's endpoint on loopback that records what reaches it and answers 204. */
async function recordingEndpoint(): Promise<{ url: string; received: IncomingHttpHeaders[]; server: Server }> {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.headers);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, server };
}

async function expectValid31(document: unknown): Promise<void> {
  const result = await new Validator().validate(JSON.parse(JSON.stringify(document)));
  expect(result.errors).toBeUndefined();
  expect(result.valid).toBe(true);
}

describe('examples/nestjs-app', () => {
  it('listens on loopback', () => {
    for (const url of [urls.shop, urls.receiver]) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves one OpenAPI 3.1 document with its routes, the management API and the three webhooks', async () => {
    const document = await json<OpenAPIObject>(fetch(`${urls.shop}/docs-json`));
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.webhooks ?? {})).toEqual(['new-subscription', 'payment-success', 'stock-changed']);
    const paths = Object.keys(document.paths ?? {});
    expect(paths[0]).toBe('/payments');
    expect(paths).toEqual(
      expect.arrayContaining([
        '/webhooks/endpoints',
        '/webhooks/endpoints/{id}',
        '/webhooks/endpoints/{id}/rotate-secret',
        '/webhooks/messages',
        '/webhooks/messages/{id}',
        '/webhooks/event-types',
      ]),
    );
    // The admin controller's catch-all route is not documented: buildAdminOpenApi describes each route.
    expect(paths.filter((path) => path.includes('{path}'))).toEqual([]);
    expect(document.components?.securitySchemes?.bearer).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    const createEndpoint = document.paths?.['/webhooks/endpoints']?.post as OperationObject;
    expect(createEndpoint.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(createEndpoint.responses ?? {})).toEqual(expect.arrayContaining(['201', '401']));
    expect(document.components?.schemas).toHaveProperty('EndpointIn');
    expect(document.components?.schemas).toHaveProperty('MessageOut');
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

  it('runs the demo: registers through the API, pays, the receiver verifies, the API shows the delivered attempt', async () => {
    expect(demoOutput[1]).toMatch(
      /^shop: registered ep_\S+ → http:\/\/127\.0\.0\.1:\d+\/webhooks\/payments for acct_acme/,
    );
    expect(demoOutput.some((line) => /^receiver: msg_\S+ verified: 4200 cents/.test(line))).toBe(true);
    expect(
      demoOutput.some((line) => /^shop: msg_\S+ payment-success of acct_acme: ep_\S+ delivered \(#1: 204\)/.test(line)),
    ).toBe(true);

    const endpoints = await json<{ data: Record<string, unknown>[] }>(shop('GET', '/webhooks/endpoints', ACME));
    expect(endpoints.data).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^ep_/),
        url: `${urls.receiver}/webhooks/payments`,
        events: ['payment-success'],
        owner: 'acct_acme',
        enabled: true,
      }),
    ]);
    expect(JSON.stringify(endpoints)).not.toContain('whsec_');

    const [message, ...others] = await messagesOf(ACME);
    expect(others).toEqual([]);
    expect(message).toMatchObject({
      id: expect.stringMatching(/^msg_/),
      event: 'payment-success',
      owner: 'acct_acme',
      payload: { ...PAYMENT, payment_time: expect.any(String) },
      deliveries: [{ endpointId: endpoints.data[0]?.id, state: 'delivered', attempts: [{ attempt: 1, status: 204 }] }],
    });
    const one = await json<MessageOut>(shop('GET', `/webhooks/messages/${message?.id}`, ACME));
    expect(one.deliveries[0]?.attempts).toEqual(message?.deliveries[0]?.attempts);

    const received = await json<{ id: string; payment: Record<string, unknown> }[]>(fetch(`${urls.receiver}/received`));
    expect(received).toEqual([{ id: message?.id, payment: { ...PAYMENT, payment_time: expect.any(String) } }]);
  });

  it('answers 401 without a known bearer token, and creates nothing', async () => {
    for (const token of [undefined, 'not-a-token']) {
      const listed = await shop('GET', '/webhooks/endpoints', token);
      expect(listed.status).toBe(401);
      expect(listed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(listed.headers.get('www-authenticate')).toBe('Bearer');
      expect(await listed.json()).toMatchObject({ status: 401, code: 'unauthorized' });

      const created = await shop('POST', '/webhooks/endpoints', token, { url: 'http://127.0.0.1:9/x' });
      expect(created.status).toBe(401);
      expect((await shop('GET', '/webhooks/messages', token)).status).toBe(401);
      expect((await shop('POST', '/payments', token, PAYMENT)).status).toBe(401);
    }
    const { data } = await json<{ data: unknown[] }>(shop('GET', '/webhooks/endpoints', ACME));
    expect(data).toHaveLength(1);
  });

  it('refuses an endpoint for an unknown webhook with 422, naming the known ones', async () => {
    const response = await shop('POST', '/webhooks/endpoints', ACME, { url: 'http://127.0.0.1:9/x', events: ['nope'] });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      status: 422,
      code: 'unknown-event',
      detail: expect.stringContaining('payment-success'),
    });
  });

  it('keeps each account to its own endpoints, messages and payments', async () => {
    const globex = await recordingEndpoint();
    try {
      const created = await json<{ endpoint: { id: string; owner?: string }; secret: string }>(
        shop('POST', '/webhooks/endpoints', GLOBEX, { url: globex.url, events: ['payment-success'] }),
        201,
      );
      expect(created.endpoint.owner).toBe('acct_globex');
      expect(created.secret).toMatch(/^whsec_/);

      // Globex sees its endpoint only, and none of acme's messages, not even by id.
      const [acmeMessage] = await messagesOf(ACME);
      const acmeEndpoint = acmeMessage?.deliveries[0]?.endpointId;
      const listed = await json<{ data: { id: string }[] }>(shop('GET', '/webhooks/endpoints', GLOBEX));
      expect(listed.data.map((endpoint) => endpoint.id)).toEqual([created.endpoint.id]);
      expect(await messagesOf(GLOBEX)).toEqual([]);
      expect((await shop('GET', `/webhooks/endpoints/${acmeEndpoint}`, GLOBEX)).status).toBe(404);
      expect((await shop('GET', `/webhooks/messages/${acmeMessage?.id}`, GLOBEX)).status).toBe(404);

      // Acme's next payment reaches acme's receiver, never globex's endpoint.
      expect((await shop('POST', '/payments', ACME, { ...PAYMENT, payment_amount: 99 })).status).toBe(201);
      const acme = await eventually(
        () => messagesOf(ACME),
        (messages) => messages.length === 2 && settled(messages),
      );
      expect(acme.map((message) => message.deliveries.map((delivery) => delivery.state))).toEqual([
        ['delivered'],
        ['delivered'],
      ]);
      expect(acme.every((message) => message.deliveries[0]?.endpointId === acmeEndpoint)).toBe(true);
      expect(globex.received).toEqual([]);
      expect(await messagesOf(GLOBEX)).toEqual([]);

      // Globex's payment goes to globex's endpoint only, and acme does not see it.
      expect((await shop('POST', '/payments', GLOBEX, PAYMENT)).status).toBe(201);
      const own = await eventually(
        () => messagesOf(GLOBEX),
        (messages) => messages.length === 1 && settled(messages),
      );
      expect(own).toMatchObject([
        { owner: 'acct_globex', deliveries: [{ endpointId: created.endpoint.id, state: 'delivered' }] },
      ]);
      expect(globex.received.map((headers) => headers['webhook-id'])).toEqual([own[0]?.id]);
      expect((await messagesOf(ACME)).map((message) => message.id)).not.toContain(own[0]?.id);
      const received = await json<unknown[]>(fetch(`${urls.receiver}/received`));
      expect(received).toHaveLength(2);
    } finally {
      globex.server.closeAllConnections();
      await new Promise<void>((resolve) => globex.server.close(() => resolve()));
    }
  });

  it('mints a portal link for the account: the page is served, and its token acts for that account only', async () => {
    expect(
      demoOutput.some((line) => /^portal: http:\/\/127\.0\.0\.1:\d+\/webhooks\/portal#token=hsp_/.test(line)),
    ).toBe(true);
    const link = await json<{ url: string; expiresAt: string }>(shop('POST', '/portal-links', GLOBEX), 201);
    expect(link.url).toMatch(/^\/webhooks\/portal#token=hsp_[\w-]+\.[\w-]+$/);
    const page = await fetch(`${urls.shop}${link.url.split('#')[0] as string}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const token = link.url.split('#token=')[1] as string;
    const session = await json<Record<string, unknown>>(shop('GET', '/webhooks/portal/session', token));
    expect(session).toMatchObject({
      owner: 'acct_globex',
      capabilities: ['view', 'manage-endpoints', 'view-secret', 'resend'],
    });
    const endpoints = await json<{ data: { owner: string }[] }>(shop('GET', '/webhooks/endpoints', token));
    expect(endpoints.data.every((endpoint) => endpoint.owner === 'acct_globex')).toBe(true);
    expect((await shop('POST', '/portal-links')).status).toBe(401);
  });
});
