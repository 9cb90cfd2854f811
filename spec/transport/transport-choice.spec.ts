import axios from 'axios';
import { WebhookClient, WebhookClientConfigError } from 'hookspec';
import type { WebhookClientOptions } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { Subscription } from '../client/fixtures';

// Which transport a client builds for itself; what each one guarantees is in the other files here.
const make = (options: Partial<WebhookClientOptions<readonly [typeof Subscription]>>) => () =>
  new WebhookClient({ webhooks: [Subscription], endpoints: [], ...options });

describe('the transport option', () => {
  it('refuses a transport it does not know, naming the choices', () => {
    const attempt = make({ transport: 'fetch' as unknown as 'undici' });

    expect(attempt).toThrow(WebhookClientConfigError);
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message: expect.stringContaining("transport must be 'axios', 'undici' or a Transport ({ send, close }), got"),
      }),
    );
  });

  it('refuses an axios instance with the undici transport, which could not run its interceptors', () => {
    const attempt = make({ transport: 'undici', axios: axios.create() });

    expect(attempt).toThrow(
      expect.objectContaining({ code: 'invalid-option', message: expect.stringContaining("transport is 'undici'") }),
    );
  });

  it('checks the shared options for undici as for axios', () => {
    const attempt = make({ transport: 'undici', allowNetworks: ['10.0.0.0/33'] });

    expect(attempt).toThrow(WebhookClientConfigError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'invalid-option' }));
  });

  it('refuses a proxy the undici transport cannot reach', () => {
    const attempt = make({ transport: 'undici', proxy: { protocol: 'socks5', host: '127.0.0.1', port: 1080 } });

    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message: expect.stringContaining("proxy must be { protocol: 'http' | 'https', host, port }"),
      }),
    );
  });
});
