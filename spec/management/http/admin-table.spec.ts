import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMORY, startHarness, stopHarnesses } from '../admin-harness';
import type { Harness } from '../admin-harness';
import { invoice } from '../fixtures';
import { call, expressAdmin, fastifyAdmin, nestAdmin } from './admin-servers';
import { DocumentedResponses } from './documented-responses';
import type { AdminServer, CallOptions, Reply } from './admin-servers';

/*
 * One table, every adapter: the same requests over real HTTP on loopback to Express (alone, and after
 * the app's express.json()), Fastify and a Nest app, with the same status and problem `code` expected of
 * each, since all of them answer through lib/management/http.
 */

const A = 'owner:acct_A';
const B = 'owner:acct_B';

/** What the rows refer to: an endpoint and a message of owner A, made once per adapter. */
interface Fixture {
  readonly h: Harness;
  readonly endpointId: string;
  readonly messageId: string;
  readonly erasedId: string;
}

interface Row {
  readonly name: string;
  readonly method: string;
  readonly path: (f: Fixture) => string;
  readonly request?: (f: Fixture) => CallOptions;
  readonly status: number;
  readonly code?: string;
  readonly check?: (reply: Reply, f: Fixture) => void;
  /**
   * Adapters where the app's own JSON parser reads the body first and answers it (not as problem+json):
   * the status they answer, and why.
   */
  readonly parsedByApp?: { readonly status: number; readonly why: string };
}

const ONE_MIB = 1024 * 1024;
const documented = new DocumentedResponses();
const big = () => JSON.stringify({ url: 'http://127.0.0.1/x', description: 'x'.repeat(ONE_MIB) });
/** The fields a problem names (each once: a field that breaks two rules has two entries). */
const fieldPaths = (reply: Reply) => [
  ...new Set((reply.json?.errors as { path: string }[] | undefined)?.map((error) => error.path)),
];

const ROWS: readonly Row[] = [
  {
    name: 'the event types',
    method: 'GET',
    path: () => '/event-types',
    request: () => ({ token: A }),
    status: 200,
    check: (reply) =>
      expect((reply.json?.data as { name: string }[]).map((type) => type.name)).toEqual([
        'invoice.paid',
        'lottery.drawn',
        'user.signup',
      ]),
  },
  {
    name: 'no credentials',
    method: 'GET',
    path: () => '/endpoints',
    status: 401,
    code: 'unauthorized',
    check: (reply) => expect(reply.headers.get('www-authenticate')).toBe('Bearer'),
  },
  {
    name: 'authorize returns false',
    method: 'GET',
    path: () => '/endpoints',
    request: () => ({ token: 'nobody' }),
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'authorize throws a forbidden WebhookAdminError',
    method: 'GET',
    path: () => '/endpoints',
    request: () => ({ token: 'forbidden-error' }),
    status: 403,
    code: 'forbidden',
    check: (reply) => expect(reply.json?.detail).toBe('Your plan has no webhook management.'),
  },
  {
    name: 'authorize fails with another error: a 500 that says nothing of it',
    method: 'GET',
    path: () => '/endpoints',
    request: () => ({ token: 'throw' }),
    status: 500,
    code: 'internal-error',
    check: (reply) => expect(reply.text).not.toContain('session store'),
  },
  {
    name: 'authorize returns no owner',
    method: 'GET',
    path: () => '/endpoints',
    request: () => ({ token: 'bad-owner' }),
    status: 500,
    code: 'internal-error',
  },
  {
    name: 'an unknown route',
    method: 'GET',
    path: () => '/nothing-here',
    request: () => ({ token: A }),
    status: 404,
    code: 'not-found',
  },
  {
    name: 'a method the path does not serve',
    method: 'PUT',
    path: () => '/endpoints',
    request: () => ({ token: A }),
    status: 405,
    code: 'method-not-allowed',
    check: (reply) => expect(reply.headers.get('allow')).toBe('GET, POST'),
  },
  {
    name: 'a trailing slash',
    method: 'GET',
    path: () => '/endpoints/',
    request: () => ({ token: A }),
    status: 200,
    check: (reply, f) => expect(reply.json?.data).toMatchObject([{ id: f.endpointId }]),
  },
  {
    name: 'a body that is not JSON by its content-type',
    method: 'POST',
    path: () => '/endpoints',
    request: () => ({ token: A, raw: '{"url":"http://127.0.0.1/x"}', headers: { 'content-type': 'text/plain' } }),
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'a body without a content-type',
    method: 'POST',
    path: () => '/endpoints',
    request: () => ({ token: A, raw: '{"url":"http://127.0.0.1/x"}' }),
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'JSON in another charset than UTF-8',
    method: 'POST',
    path: () => '/endpoints',
    request: () => ({
      token: A,
      raw: '{"url":"http://127.0.0.1/x"}',
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
    }),
    status: 415,
    code: 'unsupported-media-type',
    parsedByApp: { status: 415, why: "the app's JSON parser refuses the charset first" },
  },
  {
    name: 'a +json media type',
    method: 'POST',
    path: (f) => `/endpoints/${f.endpointId}/disable`,
    request: () => ({
      token: A,
      raw: '{"reason":"vendor type"}',
      headers: { 'content-type': 'application/vnd.api+json' },
    }),
    status: 200,
    check: (reply) => expect(reply.json).toMatchObject({ enabled: false, disabledReason: 'vendor type' }),
  },
  {
    name: 'a body over 1 MiB',
    method: 'POST',
    path: () => '/endpoints',
    request: () => ({ token: A, raw: big(), headers: { 'content-type': 'application/json' } }),
    status: 413,
    code: 'payload-too-large',
    parsedByApp: { status: 413, why: "the app's JSON parser (100 kB by default) refuses it first" },
  },
  {
    name: 'a body that is not valid JSON',
    method: 'POST',
    path: () => '/endpoints',
    request: () => ({ token: A, raw: '{"url":', headers: { 'content-type': 'application/json' } }),
    status: 400,
    code: 'invalid-request',
    parsedByApp: { status: 400, why: "the app's JSON parser refuses it first" },
  },
  {
    name: 'an owner in the body',
    method: 'POST',
    path: () => '/endpoints',
    request: (f) => ({ token: A, body: { url: `${f.h.server.url}/b`, owner: 'acct_B' } }),
    status: 400,
    code: 'invalid-request',
    check: (reply) => expect(fieldPaths(reply)).toEqual(['owner']),
  },
  {
    name: 'a body missing its required field',
    method: 'POST',
    path: () => '/endpoints',
    request: () => ({ token: A, body: { events: 'invoice.paid' } }),
    status: 400,
    code: 'invalid-request',
    check: (reply) => expect(fieldPaths(reply)).toEqual(expect.arrayContaining(['url', 'events'])),
  },
  {
    name: 'no body where one is required',
    method: 'POST',
    path: () => '/endpoints',
    request: () => ({ token: A }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a private URL',
    method: 'POST',
    path: () => '/endpoints',
    request: () => ({ token: A, body: { url: 'http://10.1.2.3/hooks' } }),
    status: 422,
    code: 'ssrf-blocked',
  },
  {
    name: 'an event type the API does not have',
    method: 'POST',
    path: () => '/endpoints',
    request: (f) => ({ token: A, body: { url: `${f.h.server.url}/b`, events: ['order.created'] } }),
    status: 422,
    code: 'unknown-event',
  },
  {
    // Ids are one namespace across owners: a chosen id would tell a customer that another holds it.
    name: 'an id of its own choosing',
    method: 'POST',
    path: () => '/endpoints',
    request: (f) => ({ token: B, body: { url: `${f.h.server.url}/b`, id: f.endpointId } }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: "another owner's endpoint",
    method: 'GET',
    path: (f) => `/endpoints/${f.endpointId}`,
    request: () => ({ token: B }),
    status: 404,
    code: 'unknown-endpoint',
  },
  {
    name: 'a query value out of range',
    method: 'GET',
    path: () => '/endpoints?limit=0',
    request: () => ({ token: A }),
    status: 400,
    code: 'invalid-request',
    check: (reply) => expect(fieldPaths(reply)).toEqual(['query.limit']),
  },
  {
    name: 'a repeated query parameter',
    method: 'GET',
    path: () => '/messages?limit=1&limit=2',
    request: () => ({ token: A }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'an unknown query parameter',
    method: 'GET',
    path: () => '/messages?owner=acct_B',
    request: () => ({ token: A }),
    status: 400,
    code: 'invalid-request',
    check: (reply) => expect(fieldPaths(reply)).toEqual(['query.owner']),
  },
  {
    name: 'a foreign cursor',
    method: 'GET',
    path: () => '/messages?cursor=bm9wZQ',
    request: () => ({ token: A }),
    status: 400,
    code: 'invalid-cursor',
  },
  {
    name: 'stats without since',
    method: 'GET',
    path: (f) => `/endpoints/${f.endpointId}/stats`,
    request: () => ({ token: A }),
    status: 400,
    code: 'invalid-request',
    check: (reply) => expect(fieldPaths(reply)).toEqual(['query.since']),
  },
  {
    name: 'a time that is not a date-time',
    method: 'POST',
    path: (f) => `/endpoints/${f.endpointId}/recover`,
    request: () => ({ token: A, body: { since: 'yesterday' } }),
    status: 400,
    code: 'invalid-request',
    check: (reply) => expect(fieldPaths(reply)).toEqual(['since']),
  },
  {
    name: 'a body on a route that takes none',
    method: 'POST',
    path: (f) => `/endpoints/${f.endpointId}/enable`,
    request: () => ({ token: A, body: { now: true } }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a null url in a patch',
    method: 'PATCH',
    path: (f) => `/endpoints/${f.endpointId}`,
    request: () => ({ token: A, body: { url: null } }),
    status: 400,
    code: 'invalid-request',
    check: (reply) => expect(fieldPaths(reply)).toEqual(['url']),
  },
  {
    name: 'a grace period out of range',
    method: 'POST',
    path: (f) => `/endpoints/${f.endpointId}/rotate-secret`,
    request: () => ({ token: A, body: { graceMs: -1 } }),
    status: 400,
    code: 'invalid-request',
  },
  {
    name: 'a message of the owner',
    method: 'GET',
    path: (f) => `/messages/${f.messageId}`,
    request: () => ({ token: A }),
    status: 200,
    check: (reply, f) => expect(reply.json).toMatchObject({ id: f.messageId, event: 'invoice.paid', owner: 'acct_A' }),
  },
  {
    name: 'resending an erased message',
    method: 'POST',
    path: (f) => `/messages/${f.erasedId}/resend`,
    request: () => ({ token: A }),
    status: 409,
    code: 'payload-erased',
  },
  {
    name: "another owner's message",
    method: 'GET',
    path: (f) => `/messages/${f.messageId}`,
    request: () => ({ token: B }),
    status: 404,
    code: 'unknown-message',
  },
];

const ADAPTERS: readonly { name: string; start: (f: Fixture) => Promise<AdminServer>; parsesJson: boolean }[] = [
  { name: 'Express', start: (f) => expressAdmin(f.h.admin), parsesJson: false },
  {
    name: 'Express after express.json()',
    start: (f) => expressAdmin(f.h.admin, { withJsonParser: true }),
    parsesJson: true,
  },
  { name: 'Fastify', start: (f) => fastifyAdmin(f.h.admin), parsesJson: false },
  { name: 'Nest', start: (f) => nestAdmin(f.h.admin), parsesJson: true },
];

describe.each(ADAPTERS)('the management API on $name', ({ start, parsesJson }) => {
  let fixture: Fixture;
  let server: AdminServer;

  beforeAll(async () => {
    const h = await startHarness(MEMORY);
    const { endpoint } = await h.admin.createEndpoint('acct_A', { url: `${h.server.url}/a`, id: 'ep_table' });
    const sent = await h.client.send(invoice('in_1'), { owner: 'acct_A' });
    const erased = await h.client.send(invoice('in_2'), { owner: 'acct_A' });
    await h.client.drain();
    await h.admin.erasePayload('acct_A', erased.id);
    fixture = { h, endpointId: endpoint.id, messageId: sent.id, erasedId: erased.id };
    server = await start(fixture);
  });
  afterAll(async () => {
    await server?.close();
    await stopHarnesses();
  });

  it.each(ROWS)('$name', async (row) => {
    const reply = await call(server.url, row.method, row.path(fixture), row.request?.(fixture));
    if (parsesJson && row.parsedByApp !== undefined) {
      expect(reply.status).toBe(row.parsedByApp.status);
      return;
    }
    expect({ status: reply.status, code: reply.json?.code }).toEqual({ status: row.status, code: row.code });
    if (row.code !== undefined) {
      expect(reply.headers.get('content-type')).toBe('application/problem+json');
      expect(reply.json).toMatchObject({ type: 'about:blank', status: row.status, title: expect.any(String) });
      expect(reply.json?.detail).toEqual(expect.stringMatching(/\S/));
    }
    row.check?.(reply, fixture);
    // Each answer of a documented operation is one the document lists, in the schema it gives.
    if (documented.documents(row.method, row.path(fixture))) documented.check(row.method, row.path(fixture), reply);
  });

  it('reports every 500 to onError, and only those', () => {
    const messages = server.reported.map((error) => (error as Error).message);
    expect(messages).toEqual([
      'the session store is down (internal detail)',
      expect.stringContaining('authorize returned 42'),
    ]);
  });
});
