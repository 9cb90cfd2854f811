import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { IsString } from 'class-validator';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, generateSecret, sign, Webhook, WebhookClient } from 'hookspec';
import { root, runCli } from './run-cli';

const bin = join(root, 'dist', 'cli', 'main.js');
const exampleModule = 'examples/plain-ts/dist/webhooks.js';
const secret = generateSecret();
const TIME = '\\d\\d:\\d\\d:\\d\\d';

beforeAll(() => {
  // The examples compiled by tsc, exactly as `npm run demo` compiles them.
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'examples/plain-ts/tsconfig.json'], {
    cwd: root,
  });
}, 60_000);

interface Listener {
  readonly child: ChildProcessWithoutNullStreams;
  /** `http://127.0.0.1:<port>/`, read from the "listening on" line. */
  readonly url: string;
  stdout(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects after 15 s or when the process exits. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  readonly exited: Promise<number | null>;
}

const running: ChildProcessWithoutNullStreams[] = [];

afterEach(async () => {
  // Never leave a listener behind, even when a test failed half-way; never wait forever for one either.
  await Promise.all(
    running.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await Promise.race([exited, delay(5_000)]);
    }),
  );
});

/** Starts `hookspec listen --port 0 …` and waits for the line that says where it listens. */
async function startListen(args: readonly string[], env: Record<string, string> = {}): Promise<Listener> {
  const child = spawn(process.execPath, [bin, 'listen', '--port', '0', ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      done = true;
      resolve(code);
    }),
  );
  const waitFor = async (pattern: RegExp): Promise<RegExpExecArray> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const match = pattern.exec(stdout);
      if (match) return match;
      if (done || Date.now() > deadline) {
        throw new Error(`no ${pattern} in the output of hookspec listen.\nstdout:\n${stdout}\nstderr:\n${stderr}`);
      }
      await delay(20);
    }
  };
  const [, url] = await waitFor(/^hookspec: listening on (http:\/\/\S+) /m);
  await waitFor(/Ctrl-C stops it$/m); // the last line of the banner: all of it has arrived
  return { child, url: url!, stdout: () => stdout, waitFor, exited };
}

function messageId(): string {
  return `msg_${randomBytes(12).toString('hex')}`;
}

/** The three Standard Webhooks headers of `body`, signed now with `keys`. */
function signedHeaders(body: string, keys: string | string[], id = messageId()): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sign({ id, timestamp, body }, keys),
  };
}

function post(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body, headers });
}

const subscription = { username: 'ada', monthly_fee: 9.99, start_date: '2026-12-01T09:00:00.000Z' };

@Webhook('ping')
class Ping {
  @IsString() message!: string;
}

describe('hookspec listen', { timeout: 30_000 }, () => {
  it('verifies a signed message, answers 204 and prints a ✓ line with the id, then the pretty body', async () => {
    const listener = await startListen(['--secret', secret]);
    expect(listener.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(listener.stdout()).toMatch(/loopback: only this machine can reach it/);
    expect(listener.stdout()).toContain("allowNetworks: ['127.0.0.0/8']");
    const body = JSON.stringify({ message: 'hello' });
    const id = messageId();
    const response = await post(listener.url, body, signedHeaders(body, secret, id));
    expect(response.status).toBe(204);
    await listener.waitFor(new RegExp(`^✓ ${TIME} ${id} verified\\n  \\{\\n    "message": "hello"\\n  \\}$`, 'm'));
  });

  it('takes the secret from HOOKSPEC_SECRET, so it stays off the command line', async () => {
    const listener = await startListen([], { HOOKSPEC_SECRET: secret });
    const body = JSON.stringify({ message: 'from the environment' });
    const id = messageId();
    const response = await post(listener.url, body, signedHeaders(body, secret, id));
    expect(response.status).toBe(204);
    await listener.waitFor(new RegExp(`^✓ ${TIME} ${id} verified`, 'm'));
  });

  it('receives what a real WebhookClient sends, through its SSRF guard opened for loopback', async () => {
    const listener = await startListen(['--secret', secret]);
    const client = new WebhookClient({
      webhooks: [Ping],
      endpoints: [{ url: listener.url, secret }],
      allowNetworks: ['127.0.0.0/8'],
    });
    try {
      const { id } = await client.send(Object.assign(new Ping(), { message: 'from a client' }));
      await client.drain();
      const view = await client.getMessage(id);
      expect(view?.deliveries.map((delivery) => delivery.status)).toEqual(['delivered']);
      expect(view?.deliveries[0]?.attempts[0]?.status).toBe(204);
      await listener.waitFor(new RegExp(`^✓ ${TIME} ${id} verified$`, 'm'));
    } finally {
      await client.close();
    }
  });

  it('answers 401 to a tampered body with a JSON { code, message } and prints a ✗ line, never the secret', async () => {
    const listener = await startListen(['--secret', secret]);
    const id = messageId();
    const headers = signedHeaders(JSON.stringify({ amount: 1 }), secret, id);
    const response = await post(listener.url, JSON.stringify({ amount: 1000 }), headers);
    expect(response.status).toBe(401);
    const answer = (await response.json()) as { code: string; message: string };
    expect(answer.code).toBe('invalid-signature');
    expect(answer.message).toMatch(/^No signature in webhook-signature matches the body/);
    await listener.waitFor(new RegExp(`^✗ ${TIME} ${id} invalid-signature: No signature`, 'm'));
    const stale = signedHeaders('{}', secret);
    stale['webhook-timestamp'] = String(Math.floor(Date.now() / 1000) - 3600);
    expect((await post(listener.url, '{}', stale)).status).toBe(401);
    await listener.waitFor(/ timestamp-too-old: webhook-timestamp is 36\d\d s in the past/);
    expect(listener.stdout()).not.toContain(secret.slice(6));
    expect(listener.stdout()).not.toContain('"amount"');
  });

  it('verifies with any of several secrets during a rotation, and with a whpk_ public key', async () => {
    const next = generateSecret();
    const { privateKey, publicKey } = generateKeyPair();
    const listener = await startListen(['--secret', secret, '--secret', next, '--public-key', publicKey]);
    expect(listener.stdout()).toMatch(/verifying with 2 secrets and 1 public key, timestamps within 300 s/);
    for (const key of [secret, next, privateKey]) {
      expect((await post(listener.url, '{}', signedHeaders('{}', key))).status).toBe(204);
    }
    expect((await post(listener.url, '{}', signedHeaders('{}', generateSecret()))).status).toBe(401);
  });

  it('answers 404 off its --path and 405 to other methods', async () => {
    const listener = await startListen(['--secret', secret, '--path', '/webhooks']);
    expect(listener.url).toMatch(/\/webhooks$/);
    const elsewhere = await post(listener.url.replace(/webhooks$/, 'other'), '{}', signedHeaders('{}', secret));
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toMatchObject({ code: 'not-found' });
    const get = await fetch(listener.url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    await listener.waitFor(/^✗ \d\d:\d\d:\d\d GET \/webhooks method-not-allowed: /m);
  });
});

describe('hookspec listen --module', { timeout: 30_000 }, () => {
  it('names the webhook a valid body validates as', async () => {
    const listener = await startListen(['--secret', secret, '--module', exampleModule]);
    expect(listener.stdout()).toMatch(/validating as new-subscription, payment-success, stock-changed \(from /);
    const body = JSON.stringify(subscription);
    const id = messageId();
    expect((await post(listener.url, body, signedHeaders(body, secret, id))).status).toBe(204);
    await listener.waitFor(
      new RegExp(`^✓ ${TIME} new-subscription ${id} verified\\n  \\{\\n    "username": "ada",`, 'm'),
    );
  });

  it('answers 400 with every webhook’s issues when the body validates as none of them', async () => {
    const listener = await startListen(['--secret', secret, '--module', exampleModule]);
    const body = JSON.stringify({ ...subscription, monthly_fee: -1 });
    const id = messageId();
    const response = await post(listener.url, body, signedHeaders(body, secret, id));
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { code: string; message: string; issues: { webhook: string }[] };
    expect(answer.code).toBe('invalid-payload');
    expect(answer.message).toMatch(/valid as none of the module’s webhooks \(new-subscription, payment-success, /);
    expect(answer.message).toMatch(/Closest: new-subscription\.$/);
    expect(answer.issues).toContainEqual({
      webhook: 'new-subscription',
      path: 'monthly_fee',
      constraints: { min: 'monthly_fee must not be less than 0' },
    });
    expect(new Set(answer.issues.map((issue) => issue.webhook))).toEqual(
      new Set(['new-subscription', 'payment-success', 'stock-changed']),
    );
    await listener.waitFor(new RegExp(`^✗ ${TIME} ${id} invalid-payload: The body is valid as none`, 'm'));
    await listener.waitFor(/^ {4}new-subscription: monthly_fee: monthly_fee must not be less than 0$/m);
  });

  it('checks a Standard Webhooks envelope as the webhook its type names', async () => {
    const listener = await startListen(['--secret', secret, '--module', exampleModule]);
    const envelope = (data: object): string =>
      JSON.stringify({ type: 'new-subscription', timestamp: new Date().toISOString(), data });
    const valid = envelope(subscription);
    expect((await post(listener.url, valid, signedHeaders(valid, secret))).status).toBe(204);
    await listener.waitFor(/^✓ \d\d:\d\d:\d\d new-subscription msg_\w+ verified$/m);
    const invalid = envelope({ ...subscription, username: 42 });
    const response = await post(listener.url, invalid, signedHeaders(invalid, secret));
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { message: string; issues: { webhook: string; path: string }[] };
    expect(answer.message).toBe('The body is not a valid new-subscription; issues lists why.');
    expect(answer.issues.map((issue) => `${issue.webhook} ${issue.path}`)).toEqual(['new-subscription username']);
  });
});

describe('hookspec listen, starting and stopping', { timeout: 30_000 }, () => {
  it('refuses a malformed --secret at start (exit 2) with a message that never holds the secret', () => {
    const result = runCli(['listen', '--secret', 'whsec_c2hvcnQ=']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'hookspec: --secret: Invalid webhook secret: it decodes to 5 bytes; Standard Webhooks secrets are 24 to 64 ' +
        'bytes. Make a new one with generateSecret().\n',
    );
    const second = runCli(['listen', '--secret', secret, '--secret', generateKeyPair().publicKey]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(
      /^hookspec: --secret #2: this is an ed25519 key, not a whsec_ secret; pass the whpk_/,
    );
    expect(runCli(['listen']).stderr).toMatch(/^hookspec: listen needs a key to verify with: --secret whsec_/);
  });

  it('exits 2 and says so when the port is taken', async () => {
    const listener = await startListen(['--secret', secret]);
    const port = new URL(listener.url).port;
    const result = runCli(['listen', '--port', port, '--secret', secret]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `hookspec: port ${port} is in use on 127.0.0.1: stop what uses it, or pick another with --port ` +
        '(--port 0 takes a free one).\n',
    );
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('stops cleanly on %s, with exit code 0', async (signal) => {
    const listener = await startListen(['--secret', secret]);
    // A kept-alive connection must not hold the process open.
    expect((await post(listener.url, '{}', signedHeaders('{}', secret))).status).toBe(204);
    listener.child.kill(signal);
    expect(await listener.exited).toBe(0);
    expect(listener.stdout()).toMatch(new RegExp(`^hookspec: stopped \\(${signal}\\)$`, 'm'));
  });
});
