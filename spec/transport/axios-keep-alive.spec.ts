import { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAxiosTransport, type Transport } from '../../lib/transport';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';

/*
 * axios sets TCP keep-alive (60 s) on every request's socket, and Node's agent sets its own delay each
 * time a socket goes back to the pool. Node asks the system only when the value changes, so the agent
 * must ask for the same delay: otherwise every request on a pooled connection costs two setsockopt calls.
 */
let server: RecordingServer;
const original = Socket.prototype.setKeepAlive;
let delays: number[] = [];

beforeEach(async () => {
  server = await startRecordingServer();
  delays = [];
  Socket.prototype.setKeepAlive = function record(this: Socket, enable?: boolean, initialDelay?: number) {
    if (enable) delays.push(initialDelay ?? 0);
    return original.call(this, enable, initialDelay);
  };
});

afterEach(async () => {
  Socket.prototype.setKeepAlive = original;
  await server.close();
});

const ping = (transport: Transport) =>
  transport.send({ url: `${server.url}/status/204`, headers: {}, body: '{}', timeoutMs: 2_000 });

describe('the axios transport’s pooled connections', () => {
  it('keep one TCP keep-alive delay (60 s) from request to request on a reused socket', async () => {
    const transport = createAxiosTransport({ allowNetworks: ['127.0.0.0/8'] });
    try {
      for (let i = 0; i < 3; i += 1) expect((await ping(transport)).status).toBe(204);
    } finally {
      await transport.close();
    }

    expect(server.connections()).toBe(1);
    expect(delays.length).toBeGreaterThanOrEqual(3);
    expect(new Set(delays)).toEqual(new Set([60_000]));
  });
});
