import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIPv6 } from 'node:net';
import { InvalidArgumentError } from 'commander';
import { CliError } from '../../errors';
import { resolveWebhookDefinitions } from '../../metadata';
import type { WebhookDefinition } from '../../metadata';
import {
  bodyTooLarge,
  checkVerificationKeys,
  describeFailure,
  readRequestBody,
  sendJson,
  verifyWebhookMessage,
} from '../../receiver';
import type { VerifiedWebhook, WebhookFailure } from '../../receiver';
import { loadWebhookClasses } from '../load-webhook-modules';
import { envelopeType } from '../../envelope';
import { matchWebhook } from '../match-webhook';
import type { MatchIssue, WebhookMatch } from '../match-webhook';

export interface ListenOptions {
  /** Default: 4000; 0 takes any free port (printed). */
  port: number;
  /** Default: `127.0.0.1`, so that only this machine can post. */
  host: string;
  /** The request path that receives webhooks. Default: `/`. */
  path: string;
  /** `whsec_` secrets, several during a rotation. */
  secret?: string[];
  /** `whpk_` ed25519 public keys. */
  publicKey?: string[];
  /** Compiled modules whose @Webhook classes validate the bodies. Default: none (verify only). */
  module?: string[];
  /** How far webhook-timestamp may be from this clock, in seconds. Default: 300. */
  tolerance: number;
}

interface ListenIo {
  cwd: string;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

interface Receiver {
  readonly keys: readonly string[];
  readonly path: string;
  readonly toleranceSeconds: number;
  readonly definitions: readonly WebhookDefinition[];
  readonly io: ListenIo;
}

/** Bodies above this are refused with 413 `body-too-large`: a development receiver needs no more. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * `hookspec listen`: a development receiver that verifies every request, validates it against the
 * module's webhooks when given, prints one line per request and the body, and answers 204, 401 or 400.
 * Resolves with exit code 0 on SIGINT or SIGTERM.
 */
export async function listenCommand(options: ListenOptions, io: ListenIo): Promise<number> {
  const secrets = options.secret ?? [];
  const publicKeys = options.publicKey ?? [];
  const modules = options.module ?? [];
  const receiver: Receiver = {
    keys: checkKeys(secrets, publicKeys),
    path: checkPath(options.path),
    toleranceSeconds: options.tolerance,
    definitions: modules.length > 0 ? await loadDefinitions(modules, io.cwd) : [],
    io,
  };
  const server = createServer((req, res) => {
    handle(req, res, receiver).catch((error: unknown) => {
      io.stderr(`hookspec: failed to handle a request: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent)
        sendJson(res, 500, { code: 'internal-error', message: 'hookspec listen failed; see its output.' });
    });
  });
  const address = await listen(server, options.port, options.host);
  const stopped = untilSignal();
  printBanner(address, { secrets: secrets.length, publicKeys: publicKeys.length, modules }, receiver);
  const signal = await stopped;
  await close(server);
  io.stdout(`hookspec: stopped (${signal})`);
  return 0;
}

/** Commander's parser for a repeatable option. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Commander's parser for `--port`: 0 to 65535. */
export function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port <= 65_535)) throw new InvalidArgumentError('a port is an integer from 0 to 65535 (0 takes a free one).');
  return port;
}

/** Commander's parser for `--tolerance`: whole seconds, or `Infinity` to skip the age check, as every receiver takes it. */
export function parseSeconds(value: string): number {
  if (value === 'Infinity') return Infinity;
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('give whole seconds, e.g. 300 (or Infinity).');
  return Number(value);
}

/** The keys, checked by the receiver core; messages name the option (`--secret #2`), never the key. */
function checkKeys(secrets: readonly string[], publicKeys: readonly string[]): string[] {
  const label = (option: string, index: number, count: number) => (count > 1 ? `${option} #${index + 1}` : option);
  return checkVerificationKeys(
    [
      ...secrets.map((value, index) => ({
        label: label('--secret', index, secrets.length),
        value,
        kind: 'secret' as const,
        publicKeyOption: '--public-key',
      })),
      ...publicKeys.map((value, index) => ({
        label: label('--public-key', index, publicKeys.length),
        value,
        kind: 'public-key' as const,
      })),
    ],
    'listen needs a key to verify with: --secret whsec_… (the endpoint’s secret; repeat it during a rotation) ' +
      'or --public-key whpk_… (for endpoints that sign with an ed25519 private key).',
  );
}

function checkPath(path: string): string {
  if (!/^\/[^?#\s]*$/.test(path)) {
    throw new CliError(
      'invalid-option',
      `--path must be a URL path starting with /, without a query string, e.g. /webhooks (got ${JSON.stringify(path)}).`,
    );
  }
  return path;
}

async function loadDefinitions(modules: readonly string[], cwd: string): Promise<WebhookDefinition[]> {
  const classes = await loadWebhookClasses(modules, cwd);
  const definitions = classes.flatMap((webhookClass) => resolveWebhookDefinitions(webhookClass));
  return definitions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function handle(req: IncomingMessage, res: ServerResponse, receiver: Receiver): Promise<void> {
  const { io } = receiver;
  const time = new Date().toTimeString().slice(0, 8);
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', 'http://receiver').pathname;
  const refuse = (status: number, code: string, message: string, label: string, headers = {}): void => {
    io.stdout(`✗ ${time} ${label} ${code}: ${message}`);
    sendJson(res, status, { code, message }, headers);
  };
  const fail = ({ status, body }: WebhookFailure, label: string): void =>
    refuse(status, body.code, body.message, label);
  if (path !== receiver.path) {
    req.resume();
    const message = `Webhooks are received on ${receiver.path}, not ${path}: post there, or restart listen with --path ${path}.`;
    return refuse(404, 'not-found', message, `${method} ${path}`);
  }
  if (method !== 'POST') {
    req.resume();
    const message = `This is a webhook receiver: it takes POST requests, not ${method}.`;
    return refuse(405, 'method-not-allowed', message, `${method} ${path}`, { allow: 'POST' });
  }
  const unverifiedId = firstHeader(req.headers, 'webhook-id') ?? firstHeader(req.headers, 'svix-id') ?? '(no id)';
  const body = await readRequestBody(req, MAX_BODY_BYTES);
  if (body === undefined) return fail(bodyTooLarge(MAX_BODY_BYTES), unverifiedId);

  let verified: VerifiedWebhook;
  try {
    verified = await verifyWebhookMessage(body, req.headers, receiver.keys, {
      toleranceSeconds: receiver.toleranceSeconds,
    });
  } catch (error) {
    const failure = describeFailure(error);
    if (failure === undefined) throw error;
    return fail(failure, unverifiedId);
  }

  if (receiver.definitions.length === 0) {
    const type = envelopeType(verified.body);
    io.stdout(`✓ ${time} ${type !== undefined ? `${type} ` : ''}${verified.id} verified`);
    printBody(io, verified.body);
    res.writeHead(204).end();
    return;
  }
  const match = await matchWebhook(receiver.definitions, verified.body);
  if (match.names.length > 0) {
    io.stdout(`✓ ${time} ${match.names.join(',')} ${verified.id} verified`);
    printBody(io, verified.body);
    res.writeHead(204).end();
    return;
  }
  const message = invalidMessage(match);
  const label = match.candidates.length === 1 ? `${match.candidates[0]} ${verified.id}` : verified.id;
  io.stdout(`✗ ${time} ${label} invalid-payload: ${message}`);
  for (const line of issueLines(match.issues)) io.stdout(`    ${line}`);
  printBody(io, verified.body);
  sendJson(res, 400, { code: 'invalid-payload', message, issues: match.issues });
}

function invalidMessage(match: WebhookMatch): string {
  const prefix =
    match.unknownType !== undefined
      ? `Its envelope type '${match.unknownType}' names none of the module’s webhooks, and the `
      : 'The ';
  if (match.candidates.length === 1) return `${prefix}body is not a valid ${match.candidates[0]}; issues lists why.`;
  return (
    `${prefix}body is valid as none of the module’s webhooks (${match.candidates.join(', ')}); issues lists why, ` +
    `for each${match.closest !== undefined ? `. Closest: ${match.closest}` : ''}.`
  );
}

/** `new-subscription: monthly_fee: monthly_fee must not be less than 0`, one line per failing property. */
function issueLines(issues: readonly MatchIssue[]): string[] {
  return issues.map(
    (issue) => `${issue.webhook}: ${issue.path || '(the body)'}: ${Object.values(issue.constraints).join('; ')}`,
  );
}

function printBody(io: ListenIo, body: unknown): void {
  for (const line of JSON.stringify(body, null, 2).split('\n')) io.stdout(`  ${line}`);
}

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? `port ${port} is in use on ${host}: stop what uses it, or pick another with --port (--port 0 takes a free one).`
          : error.code === 'EACCES'
            ? `listening on port ${port} needs privileges here: pick a port above 1023.`
            : `cannot listen on ${host}:${port}: ${error.message}`;
      reject(new CliError('listen-failed', reason, { cause: error }));
    });
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}

function printBanner(
  address: AddressInfo,
  given: { secrets: number; publicKeys: number; modules: readonly string[] },
  receiver: Receiver,
): void {
  const { io } = receiver;
  const loopback = isLoopback(address.address);
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const v6 = isIPv6(address.address);
  const url = (host: string): string => `http://${v6 ? `[${host}]` : host}:${address.port}${receiver.path}`;
  const reach = loopback
    ? 'loopback: only this machine can reach it; --host 0.0.0.0 opens it to your network'
    : wildcard
      ? 'every interface: other machines on your network can post to it'
      : `other machines that reach ${address.address} can post to it`;
  io.stdout(`hookspec: listening on ${url(address.address)} (${reach})`);

  const keys = [count(given.secrets, 'secret'), count(given.publicKeys, 'public key')];
  const names = receiver.definitions.map((definition) => definition.name);
  io.stdout(
    `hookspec: verifying with ${keys.filter((k) => k !== '').join(' and ')}, ${receiver.toleranceSeconds === Infinity ? 'timestamps of any age' : `timestamps within ${receiver.toleranceSeconds} s`}; ` +
      (names.length > 0
        ? `validating as ${names.join(', ')} (from ${given.modules.join(', ')})`
        : 'not validating bodies (--module dist/webhooks.js validates them against your @Webhook classes)'),
  );

  const clientHost = wildcard ? (v6 ? '::1' : '127.0.0.1') : address.address;
  const network = isLoopback(clientHost) ? (v6 ? '::1/128' : '127.0.0.0/8') : `${clientHost}/${v6 ? 128 : 32}`;
  const key = given.secrets > 0 ? 'secret' : 'privateKey';
  io.stdout(
    `hookspec: send to it from a WebhookClient (its SSRF guard refuses ${loopback || wildcard ? 'loopback' : 'private'} ` +
      `addresses unless allowed):\n  new WebhookClient({ webhooks, endpoints: [{ url: '${url(clientHost)}', ${key} }], ` +
      `allowNetworks: ['${network}'] })`,
  );
  io.stdout(
    'hookspec: answers 204 when verified (and valid), 401 when verification fails, 400 when the body is invalid; Ctrl-C stops it',
  );
}

function count(n: number, noun: string): string {
  return n === 0 ? '' : `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // A WebhookClient keeps its connections alive; close them rather than wait for their idle timeout.
    server.closeAllConnections();
  });
}
