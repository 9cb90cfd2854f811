import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Injectable, Module, Post } from '@nestjs/common';
import { generateSecret, MemoryQueue, verifyWebhook, WebhookClient, WebhookClientConfigError } from 'hookspec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HookspecModule, HOOKSPEC_MODULE_OPTIONS } from '../../../lib/frameworks/nestjs';
import { SqliteQueue } from '../../../lib/queues/sqlite';
import { LOOPBACK, Subscription, subscription } from '../../client/fixtures';
import { startRecordingServer, type RecordingServer } from '../../support/recording-server';
import { startNestApp, type RunningApp } from './nest-app';

const SECRET = generateSecret();

/** A MemoryQueue that records that it was closed: the client's close() reaches the queue it was given. */
class ObservedQueue extends MemoryQueue {
  closes = 0;
  override async close(): Promise<void> {
    this.closes += 1;
    await super.close();
  }
}

/** A service of the application, with the client injected by its class. */
@Injectable()
class SubscriptionService {
  constructor(private readonly webhooks: WebhookClient) {}

  subscribe(username: string) {
    return this.webhooks.send(subscription({ username }));
  }
}

@Controller('subscriptions')
class SubscriptionController {
  constructor(private readonly service: SubscriptionService) {}

  @Post()
  async create(): Promise<{ id: string }> {
    const { id } = await this.service.subscribe('grace');
    return { id };
  }
}

/** The value the Settings provider serves, set by the test before the app starts. */
let configuredUrl = '';

/** Stands in for @nestjs/config: a provider that the async factory reads the endpoint from. */
@Injectable()
class Settings {
  get url(): string {
    return configuredUrl;
  }
}

@Module({ providers: [Settings], exports: [Settings] })
class SettingsModule {}

let receiver: RecordingServer;
let running: RunningApp | undefined;
beforeEach(async () => {
  receiver = await startRecordingServer();
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await receiver.close();
});

describe('HookspecModule.forRoot', () => {
  it('injects a WebhookClient into a service by its class, and delivers a signed webhook', async () => {
    running = await startNestApp(
      {
        imports: [
          HookspecModule.forRoot({
            webhooks: [Subscription],
            endpoints: [{ url: `${receiver.url}/hooks`, secret: SECRET }],
            allowNetworks: LOOPBACK,
          }),
        ],
        controllers: [SubscriptionController],
        providers: [SubscriptionService],
      },
      {},
    );
    const response = await fetch(`${running.url}/subscriptions`, { method: 'POST' });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };

    const [request] = await receiver.waitFor(1, '/hooks');
    expect(request!.headers['webhook-id']).toBe(id);
    const body = verifyWebhook(request!.body, request!.headers as Record<string, string>, SECRET);
    expect(body).toMatchObject({ username: 'grace' });
  });

  it('closes the client, and the queue it was given, when the application closes', async () => {
    const queue = new ObservedQueue();
    running = await startNestApp(
      { imports: [HookspecModule.forRoot({ webhooks: [Subscription], endpoints: [], queue })] },
      {},
    );
    const client = running.app.get(WebhookClient);
    expect(queue.closes).toBe(0);

    await running.close();
    running = undefined;

    expect(queue.closes).toBe(1);
    await expect(client.send(subscription())).rejects.toMatchObject({ code: 'client-closed' });
  });

  it('keeps what a request accepted in a durable SqliteQueue across the app closing, for the next app to deliver', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookspec-nest-sqlite-'));
    const path = join(dir, 'outbox.db');
    const endpoints = [{ id: 'hooks', url: `${receiver.url}/durable`, secret: SECRET }];
    try {
      // The first app only accepts (worker: false), as a web process whose workers run elsewhere.
      running = await startNestApp(
        {
          imports: [
            HookspecModule.forRoot({
              webhooks: [Subscription],
              endpoints,
              queue: new SqliteQueue({ path }),
              worker: false,
            }),
          ],
          controllers: [SubscriptionController],
          providers: [SubscriptionService],
        },
        {},
      );
      const { id } = (await (await fetch(`${running.url}/subscriptions`, { method: 'POST' })).json()) as {
        id: string;
      };
      await running.close();
      running = undefined;
      expect(receiver.on('/durable')).toEqual([]);

      // The next app, on the same file, delivers it.
      running = await startNestApp(
        {
          imports: [
            HookspecModule.forRoot({
              webhooks: [Subscription],
              endpoints,
              queue: new SqliteQueue({ path }),
              allowNetworks: LOOPBACK,
            }),
          ],
        },
        {},
      );
      const [request] = await receiver.waitFor(1, '/durable');
      expect(request!.headers['webhook-id']).toBe(id);
      await running.app.get(WebhookClient).drain();
      expect((await running.app.get(WebhookClient).getMessage(id))?.deliveries[0]?.status).toBe('delivered');
    } finally {
      await running?.close();
      running = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is visible to every module with isGlobal: true', async () => {
    @Module({ providers: [SubscriptionService], controllers: [SubscriptionController] })
    class FeatureModule {}

    running = await startNestApp(
      {
        imports: [
          HookspecModule.forRoot({
            webhooks: [Subscription],
            endpoints: [{ url: `${receiver.url}/global`, secret: SECRET }],
            allowNetworks: LOOPBACK,
            isGlobal: true,
          }),
          FeatureModule,
        ],
      },
      {},
    );
    expect((await fetch(`${running.url}/subscriptions`, { method: 'POST' })).status).toBe(201);
    expect(await receiver.waitFor(1, '/global')).toHaveLength(1);
  });

  it('stops the application from starting with invalid client options, with the client’s error', async () => {
    await expect(
      startNestApp(
        { imports: [HookspecModule.forRoot({ webhooks: [Subscription], endpoints: [], timeoutMs: -1 })] },
        {},
      ),
    ).rejects.toBeInstanceOf(WebhookClientConfigError);
  });

  it('refuses a call without options, naming what it needs', () => {
    expect(() => HookspecModule.forRoot(undefined as never)).toThrow(WebhookClientConfigError);
    expect(() => HookspecModule.forRoot(undefined as never)).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message: expect.stringMatching(
          /^HookspecModule\.forRoot\(options\) needs the WebhookClient options: \{ webhooks: \[\.\.\.\], endpoints/,
        ),
      }),
    );
  });

  it('refuses an isGlobal that is not a boolean, naming the option', () => {
    expect(() => HookspecModule.forRoot({ webhooks: [Subscription], endpoints: [], isGlobal: 'yes' as never })).toThrow(
      expect.objectContaining({
        name: 'WebhookClientConfigError',
        code: 'invalid-option',
        message: "HookspecModule.forRoot(options): isGlobal must be true or false, got 'yes'.",
      }),
    );
  });
});

describe('HookspecModule.forRootAsync', () => {
  it('builds the client from a factory that injects a provider of an imported module', async () => {
    configuredUrl = `${receiver.url}/async`;
    running = await startNestApp(
      {
        imports: [
          HookspecModule.forRootAsync({
            imports: [SettingsModule],
            inject: [Settings],
            useFactory: async (settings: Settings) => ({
              webhooks: [Subscription],
              endpoints: [{ url: settings.url, secret: SECRET }],
              allowNetworks: LOOPBACK,
            }),
          }),
        ],
        controllers: [SubscriptionController],
        providers: [SubscriptionService],
      },
      {},
    );
    expect((await fetch(`${running.url}/subscriptions`, { method: 'POST' })).status).toBe(201);
    expect(await receiver.waitFor(1, '/async')).toHaveLength(1);
    expect(running.app.get(HOOKSPEC_MODULE_OPTIONS)).toMatchObject({ webhooks: [Subscription] });
  });

  it('refuses options without useFactory', () => {
    expect(() => HookspecModule.forRootAsync({} as never)).toThrow(
      expect.objectContaining({
        name: 'WebhookClientConfigError',
        code: 'invalid-option',
        message: expect.stringMatching(/^HookspecModule\.forRootAsync\(options\) needs useFactory: .*got undefined\.$/),
      }),
    );
  });

  it('refuses an unknown key with a did-you-mean', () => {
    const options = { useFactory: () => ({ webhooks: [Subscription], endpoints: [] }), injects: [Settings] };
    expect(() => HookspecModule.forRootAsync(options as never)).toThrow(
      expect.objectContaining({
        name: 'WebhookClientConfigError',
        code: 'unknown-option',
        message:
          "HookspecModule.forRootAsync(options): unknown option 'injects' (did you mean 'inject'?). " +
          'Known options: imports, inject, useFactory, isGlobal.',
      }),
    );
  });

  it('refuses an inject that is not an array', () => {
    expect(() =>
      HookspecModule.forRootAsync({
        useFactory: () => ({ webhooks: [Subscription], endpoints: [] }),
        inject: Settings as never,
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message: 'HookspecModule.forRootAsync(options): inject must be an array, got a function (Settings).',
      }),
    );
  });
});
