import type { AddressInfo } from 'node:net';
import type { INestApplication, LoggerService, ModuleMetadata, NestApplicationOptions } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { SignedRequest } from '../../support/standard-webhooks-request';
export { signWithStandardWebhooks } from '../../support/standard-webhooks-request';
export type { SignedRequest } from '../../support/standard-webhooks-request';

export interface RunningApp {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly app: INestApplication;
  close(): Promise<void>;
}

// Nest's logger is global: every testing module replaces it, so each one is given this silent logger.
const silent: LoggerService = { log() {}, error() {}, warn() {} };

/** A real Nest application (Express) from a testing module, listening on loopback on a free port. */
export async function startNestApp(
  metadata: ModuleMetadata,
  options: NestApplicationOptions,
  configure: (app: INestApplication) => void = () => {},
): Promise<RunningApp> {
  const moduleRef = await Test.createTestingModule(metadata).setLogger(silent).compile();
  const app = moduleRef.createNestApplication({ ...options, logger: false });
  configure(app);
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
  return { url: `http://127.0.0.1:${port}`, app, close: () => app.close() };
}

/** A request signed by the `standardwebhooks` reference library, as another sender would sign it. */

export interface JsonResponse {
  readonly status: number;
  /** The body as text, to check what it must not contain. */
  readonly text: string;
  readonly json: unknown;
}

export async function post(url: string, request: Pick<SignedRequest, 'headers' | 'body'>): Promise<JsonResponse> {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  const text = await response.text();
  return { status: response.status, text, json: text === '' ? undefined : JSON.parse(text) };
}
