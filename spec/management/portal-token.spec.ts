import { inspect } from 'node:util';
import { WebhookAdmin, WebhookAdminError } from 'hookspec';
import type { PortalCapability } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookAdminRouter } from '../../lib/frameworks/express';
import { webhookAdminRoutes } from '../../lib/frameworks/fastify';
import { HookspecAdminModule } from '../../lib/frameworks/nestjs';
import { MEMORY, startHarness, stopHarnesses } from './admin-harness';
import { call } from './http/admin-servers';
import type { AdminServer } from './http/admin-servers';
import { expressPortal, PORTAL_SECRET, portalAdminOptions } from './portal-servers';

/*
 * Portal tokens: minted by WebhookAdmin.portalToken() with the admin's portalSecret, verified by the API
 * (here GET /portal/session over real HTTP) against the admin's clock.
 */

const T0 = Date.parse('2026-06-01T12:00:00.000Z');
const HOUR = 3_600_000;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await stopHarnesses();
});

async function portalApp(secret: string | Buffer = PORTAL_SECRET) {
  const clock = { now: T0 };
  const { admin } = await startHarness(MEMORY, { admin: { ...portalAdminOptions(clock), portalSecret: secret } });
  const server: AdminServer = await expressPortal(admin);
  closers.push(() => server.close());
  const session = (token: string) => call(server.url, 'GET', '/portal/session', { token });
  return { admin, clock, server, session };
}

function payloadOf(token: string): Record<string, unknown> {
  const payload = token.slice('hsp_'.length, token.indexOf('.'));
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('a portal token', () => {
  it('carries the owner, the capabilities (view always) and its expiry, signed, and opens a session', async () => {
    const { admin, session } = await portalApp();
    const token = admin.portalToken({ owner: 'acct_A', capabilities: ['resend', 'manage-endpoints', 'resend'] });
    expect(token).toMatch(/^hsp_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(payloadOf(token)).toEqual({
      v: 1,
      o: 'acct_A',
      c: ['view', 'manage-endpoints', 'resend'],
      exp: T0 + HOUR,
      iat: T0,
    });
    const reply = await session(token);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.json).toEqual({
      owner: 'acct_A',
      capabilities: ['view', 'manage-endpoints', 'resend'],
      expiresAt: '2026-06-01T13:00:00.000Z',
    });
  });

  it("defaults to view only, and null is the app's own scope", async () => {
    const { admin, session } = await portalApp();
    const reply = await session(admin.portalToken({ owner: null, ttlMs: 60_000 }));
    expect(reply.json).toEqual({ owner: null, capabilities: ['view'], expiresAt: '2026-06-01T12:01:00.000Z' });
  });

  it('is refused as expired from its expiry on, by the admin’s clock, with a message that says so', async () => {
    const { admin, clock, session } = await portalApp();
    const token = admin.portalToken({ owner: 'acct_A', ttlMs: 1000 });
    clock.now = T0 + 999;
    expect((await session(token)).status).toBe(200);
    clock.now = T0 + 1000;
    const expired = await session(token);
    expect({ status: expired.status, code: expired.json?.code }).toEqual({ status: 401, code: 'unauthorized' });
    expect(expired.json?.detail).toContain('has expired');
    expect(expired.headers.get('www-authenticate')).toBe('Bearer');
    expect(expired.text).not.toContain(token.slice(4, 30));
  });

  it('is refused as invalid when its payload, its signature or its key is not the one minted', async () => {
    const { admin, session } = await portalApp();
    const token = admin.portalToken({ owner: 'acct_A', capabilities: ['view'] });
    const [signed, signature] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...payloadOf(token), o: 'acct_B' })).toString('base64url');
    const widened = Buffer.from(
      JSON.stringify({ ...payloadOf(token), c: ['view', 'manage-endpoints', 'view-secret', 'resend'] }),
    ).toString('base64url');
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    const other = await portalApp('another-key-of-at-least-32-chars!');
    const cases: Record<string, string> = {
      'owner changed': `hsp_${forged}.${signature}`,
      'capabilities widened': `hsp_${widened}.${signature}`,
      'signature altered': `${signed}.${flipped}`,
      'signature cut': `${signed}.${signature.slice(0, -1)}`,
      'signature padded': `${signed}.${signature}=`,
      'another key': other.admin.portalToken({ owner: 'acct_A' }),
    };
    for (const [name, forgery] of Object.entries(cases)) {
      const reply = await session(forgery);
      expect({ name, status: reply.status, code: reply.json?.code }).toEqual({
        name,
        status: 401,
        code: 'unauthorized',
      });
      expect(reply.json?.detail, name).toContain('is not valid');
      expect(reply.text, name).not.toContain(forgery.slice(4, 30));
    }
    expect((await session(token)).status).toBe(200);
  });

  it('is refused as invalid when malformed, without echoing it', async () => {
    const { session } = await portalApp();
    for (const malformed of [
      'hsp_',
      'hsp_.',
      'hsp_abc',
      'hsp_abc.',
      'hsp_.abc',
      'hsp_a.b.c',
      'hsp_a+b.c',
      `hsp_${'a'.repeat(5000)}.b`,
    ]) {
      const reply = await session(malformed);
      expect({ malformed: malformed.slice(0, 20), status: reply.status, detail: reply.json?.detail }).toEqual({
        malformed: malformed.slice(0, 20),
        status: 401,
        detail: expect.stringContaining('is not valid'),
      });
    }
  });

  it('needs the hsp_ prefix: any other bearer is the app’s credential, and the session needs a portal token', async () => {
    const { admin, server, session } = await portalApp();
    const token = admin.portalToken({ owner: 'acct_A' });
    const renamed = `hsx_${token.slice(4)}`;
    const toAuthorize = await call(server.url, 'GET', '/endpoints', { token: renamed });
    expect(toAuthorize.json?.detail).toBe('The request is not authenticated: no credentials were accepted.');
    const noPortalToken = await session('owner:acct_A');
    expect({ status: noPortalToken.status, detail: noPortalToken.json?.detail }).toEqual({
      status: 401,
      detail: expect.stringContaining('needs a portal token'),
    });
  });
});

describe('admin.portalToken(options)', () => {
  it('accepts a lifetime from 1 ms to 24 hours, in whole milliseconds', async () => {
    const { admin } = await portalApp();
    expect(payloadOf(admin.portalToken({ owner: 'a', ttlMs: 86_400_000 })).exp).toBe(T0 + 86_400_000);
    expect(payloadOf(admin.portalToken({ owner: 'a', ttlMs: 1 })).exp).toBe(T0 + 1);
    for (const ttlMs of [0, -1, 1.5, 86_400_001, Number.NaN, '60000']) {
      expect(() => admin.portalToken({ owner: 'a', ttlMs: ttlMs as number }), String(ttlMs)).toThrow(
        expect.objectContaining({ code: 'invalid-option', message: expect.stringContaining('ttlMs must be') }),
      );
    }
  });

  it('refuses an unknown capability with a did-you-mean, and an empty list', async () => {
    const { admin } = await portalApp();
    expect(() => admin.portalToken({ owner: 'a', capabilities: ['manage' as PortalCapability] })).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message: expect.stringContaining("'manage' is not a portal capability (did you mean 'manage-endpoints'?)"),
      }),
    );
    for (const capabilities of [[], 'view', [42]]) {
      expect(
        () => admin.portalToken({ owner: 'a', capabilities: capabilities as never }),
        String(capabilities),
      ).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    }
  });

  it('requires an owner as every admin call does, and refuses a misspelled option', async () => {
    const { admin } = await portalApp();
    for (const owner of [undefined, '', 'x'.repeat(129), 42]) {
      expect(() => admin.portalToken({ owner } as never), String(owner)).toThrow(
        expect.objectContaining({ code: 'invalid-option', message: expect.stringContaining('owner is required') }),
      );
    }
    expect(() => admin.portalToken({ owner: 'a', ttl: 1000 } as never)).toThrow(
      expect.objectContaining({ code: 'unknown-option', message: expect.stringContaining("did you mean 'ttlMs'") }),
    );
  });

  it('throws without a portalSecret, saying how to give one, and so does a router with portal: true', async () => {
    const { admin } = await startHarness(MEMORY);
    expect(() => admin.portalToken({ owner: 'a' })).toThrow(WebhookAdminError);
    expect(() => admin.portalToken({ owner: 'a' })).toThrow(
      expect.objectContaining({ code: 'invalid-option', message: expect.stringContaining('portalSecret') }),
    );
    const makers: [string, () => unknown][] = [
      ['webhookAdminRouter', () => webhookAdminRouter(admin, { authorize: () => null, portal: true })],
      ['webhookAdminRoutes', () => webhookAdminRoutes(admin, { authorize: () => null, portal: true })],
      ['HookspecAdminModule', () => HookspecAdminModule.register({ admin, authorize: () => null, portal: true })],
    ];
    for (const [name, make] of makers) {
      expect(make, name).toThrow(
        expect.objectContaining({ code: 'invalid-option', message: expect.stringContaining('portalSecret') }),
      );
    }
    expect(() => webhookAdminRouter(admin, { authorize: () => null, portal: 'yes' as never })).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message: expect.stringContaining('portal must be true or false'),
      }),
    );
  });
});

describe('portalSecret', () => {
  it('must hold at least 32 characters or bytes, and a refusal never shows it', async () => {
    const { client } = await startHarness(MEMORY);
    const short = 'short-secret-of-31-characters!!';
    for (const portalSecret of [short, Buffer.alloc(31, 1), 42]) {
      let thrown: unknown;
      try {
        new WebhookAdmin(client, { portalSecret: portalSecret as string });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: 'invalid-option', message: expect.stringContaining('at least 32') });
      expect((thrown as Error).message).not.toContain(short);
    }
    expect(() => new WebhookAdmin(client, { portalSecrets: PORTAL_SECRET } as never)).toThrow(
      expect.objectContaining({
        code: 'unknown-option',
        message: expect.stringContaining("did you mean 'portalSecret'"),
      }),
    );
    const fromBuffer = new WebhookAdmin(client, { portalSecret: Buffer.from(PORTAL_SECRET) });
    const fromString = new WebhookAdmin(client, { portalSecret: PORTAL_SECRET, now: () => T0 });
    expect(typeof fromBuffer.portalToken({ owner: 'a' })).toBe('string');
    expect(fromString.portalToken({ owner: 'a' })).toMatch(/^hsp_/);
  });

  it('is not shown when the admin is inspected or logged', async () => {
    const { admin } = await portalApp();
    const shown = inspect(admin, { depth: 10, showHidden: true });
    expect(shown).not.toContain(PORTAL_SECRET);
    expect(shown).not.toContain(Buffer.from(PORTAL_SECRET).toString('hex').slice(0, 16));
  });

  it('keeps its copy: changing the Buffer given afterwards changes nothing', async () => {
    const key = Buffer.from(PORTAL_SECRET);
    const { admin, session } = await portalApp(key);
    const token = admin.portalToken({ owner: 'acct_A' });
    key.fill(0);
    expect((await session(token)).status).toBe(200);
  });
});
