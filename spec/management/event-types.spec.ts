import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildOpenApi, verifyWebhook, WebhookAdmin } from 'hookspec';
import type { EventTypeView, SchemaConverters } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, MEMORY, startHarness, stopHarnesses } from './admin-harness';
import { invoice, WEBHOOKS } from './fixtures';

afterEach(stopHarnesses);

const A = 'acct_A';

/** Ajv 2020-12 in strict mode: a keyword it does not know fails the compile. */
function compile(schema: Record<string, unknown>) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

function byName(types: readonly EventTypeView[], name: string): EventTypeView {
  const found = types.find((type) => type.name === name);
  if (!found) throw new Error(`no event type ${name}`);
  return found;
}

describe('eventTypes()', () => {
  it('lists every webhook by name with what @Webhook says, a self-contained schema and an example it validates', async () => {
    const { admin } = await startHarness(MEMORY);
    const types = await admin.eventTypes();
    expect(types.map((type) => type.name)).toEqual(['invoice.paid', 'lottery.drawn', 'user.signup']);
    expect(byName(types, 'invoice.paid')).toMatchObject({
      summary: 'Invoice paid',
      description: 'Sent when an invoice is paid in full.',
      tags: ['billing'],
    });
    expect(byName(types, 'user.signup')).toMatchObject({ deprecated: true });
    for (const type of types) {
      expect(JSON.stringify(type.schema)).not.toContain('#/components/');
      if ('example' in type) expect(compile(type.schema)(type.example), type.name).toBe(true);
    }
  });

  it("builds the schema with buildOpenApi's generator: the same class schemas, references into $defs", async () => {
    const { admin } = await startHarness(MEMORY);
    const schema = byName(await admin.eventTypes(), 'invoice.paid').schema;
    const components = buildOpenApi({ webhooks: [...WEBHOOKS] }).components?.schemas ?? {};
    expect(schema).toMatchObject({ $ref: '#/$defs/InvoicePaid' });
    expect(schema.$defs).toEqual({
      InvoicePaid: JSON.parse(JSON.stringify(components.InvoicePaid).replaceAll('#/components/schemas/', '#/$defs/')),
      Money: components.Money,
    });
  });

  it('shapes the declared example as send() does, exactly as buildOpenApi documents it', async () => {
    const { admin } = await startHarness(MEMORY);
    const documented = buildOpenApi({ webhooks: [...WEBHOOKS] }).webhooks?.['invoice.paid']?.post?.requestBody;
    const { examples } = (documented as { content: Record<string, { examples: Record<string, { value: unknown }> }> })
      .content['application/json'] as { examples: Record<string, { value: unknown }> };
    const { example } = byName(await admin.eventTypes(), 'invoice.paid');
    expect(example).toEqual({
      invoice_id: 'in_1',
      amount: { cents: 1200, currency: 'EUR' },
      paid_at: '2026-02-03T04:05:06.000Z',
    });
    expect(example).toEqual(examples.paid?.value);
  });

  it('generates an example from the schema when none is declared, and leaves it out when the class refuses it', async () => {
    const { admin } = await startHarness(MEMORY);
    const types = await admin.eventTypes();
    expect(byName(types, 'user.signup').example).toEqual({ username: 'string', email: 'user@example.com', credits: 0 });
    expect(byName(types, 'lottery.drawn')).not.toHaveProperty('example');
  });

  it('wraps schema and example in the envelope when the client does, and a sent body validates', async () => {
    const { admin, client, server } = await startHarness(MEMORY, { client: { envelope: 'standard' } });
    const type = byName(await admin.eventTypes(), 'invoice.paid');
    const validate = compile(type.schema);
    expect(type.example).toMatchObject({ type: 'invoice.paid', data: { invoice_id: 'in_1' } });
    expect(validate(type.example)).toBe(true);
    expect(
      validate({ invoice_id: 'in_1', amount: { cents: 1, currency: 'EUR' }, paid_at: '2026-01-01T00:00:00Z' }),
    ).toBe(false);
    await admin.createEndpoint(A, { url: `${server.url}/a` });
    await client.send(invoice(), { owner: A });
    await client.drain();
    expect(validate(JSON.parse(server.on('/a')[0]?.body ?? ''))).toBe(true);
  });

  it('is built once and frozen: every call answers the same objects', async () => {
    const { admin } = await startHarness(MEMORY);
    const [first, second] = [await admin.eventTypes(), await admin.eventTypes()];
    expect(second[0]).toBe(first[0]);
    expect(Object.isFrozen(first[0]?.schema)).toBe(true);
    expect(() => {
      (first[0] as { name: string }).name = 'changed';
    }).toThrow(TypeError);
  });

  it("shows the app's schema converters", async () => {
    const converters: SchemaConverters = { isEmail: () => ({ format: 'email', maxLength: 254 }) };
    const { client } = await startHarness(MEMORY);
    const admin = new WebhookAdmin(client, { converters });
    const schema = byName(await admin.eventTypes(), 'user.signup').schema as {
      $defs: { UserSignup: { properties: { email: unknown } } };
    };
    expect(schema.$defs.UserSignup.properties.email).toEqual({ type: 'string', format: 'email', maxLength: 254 });
  });
});

describe.each(BACKENDS)('sendExample() on $name', (backend) => {
  it('sends the declared example, signed, to that endpoint only, as the owner', async () => {
    const h = await startHarness(backend);
    const { endpoint, secret } = await h.admin.createEndpoint(A, { url: `${h.server.url}/a`, events: ['user.signup'] });
    await h.admin.createEndpoint(A, { url: `${h.server.url}/other` });
    const sent = await h.admin.sendExample(A, endpoint.id, { event: 'invoice.paid' });
    expect(sent).toMatchObject({ event: 'invoice.paid', owner: A, deliveries: [{ endpointId: endpoint.id }] });
    await h.client.drain();
    expect(h.server.requests.map((r) => r.path)).toEqual(['/a']);
    const [request] = h.server.requests;
    expect(verifyWebhook(request?.body ?? '', request?.headers ?? {}, secret)).toEqual(
      byName(await h.admin.eventTypes(), 'invoice.paid').example,
    );
    expect((await h.admin.getMessage(A, sent.id)).message.owner).toBe(A);
  });

  it('sends a generated example, and an endpoint of the app itself (null scope) sends without an owner', async () => {
    const h = await startHarness(backend);
    const { endpoint } = await h.admin.createEndpoint(null, { url: `${h.server.url}/app` });
    const sent = await h.admin.sendExample(null, endpoint.id, { event: 'user.signup' });
    expect(sent).not.toHaveProperty('owner');
    await h.client.drain();
    expect(JSON.parse(h.server.on('/app')[0]?.body ?? '')).toEqual({
      username: 'string',
      email: 'user@example.com',
      credits: 0,
    });
  });

  it('sends a given payload, validated as send() validates it', async () => {
    const h = await startHarness(backend);
    const { endpoint } = await h.admin.createEndpoint(A, { url: `${h.server.url}/a` });
    await h.admin.sendExample(A, endpoint.id, { event: 'lottery.drawn', payload: { number: 7, extra: 'dropped' } });
    await h.client.drain();
    expect(JSON.parse(h.server.on('/a')[0]?.body ?? '')).toEqual({ number: 7 });

    const refused = await h.admin
      .sendExample(A, endpoint.id, { event: 'lottery.drawn', payload: { number: 8 } })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'invalid-request',
      details: [{ path: 'number', message: 'number must be odd' }],
    });
  });

  it('asks for a declared example when none can be generated', async () => {
    const h = await startHarness(backend);
    const { endpoint } = await h.admin.createEndpoint(A, { url: `${h.server.url}/a` });
    const refused = await h.admin.sendExample(A, endpoint.id, { event: 'lottery.drawn' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'invalid-request' });
    expect((refused as Error).message).toContain("@Webhook('lottery.drawn', { examples");
    expect(h.server.received()).toBe(0);
  });
});
