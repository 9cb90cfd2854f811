import { Exclude, Expose, Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { WebhookDefinitionError, WebhookValidationError } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { serializePayload } from '../../lib/payload';
import type { SerializeOptions } from '../../lib/payload';
import { Address, user, UserUpdated } from './payload-classes';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const options: SerializeOptions = { event: 'user.updated', envelope: 'none', now: NOW };

function sent(payload: object, cls: Function = UserUpdated, extra: Partial<SerializeOptions> = {}): unknown {
  return JSON.parse(serializePayload(payload, cls, { ...options, ...extra }));
}

function rejected(payload: object, cls: Function = UserUpdated): WebhookValidationError {
  try {
    serializePayload(payload, cls, { ...options, unknownProperties: 'reject' });
  } catch (error) {
    if (error instanceof WebhookValidationError) return error;
    throw error;
  }
  throw new Error('serializePayload did not throw');
}

describe('the body holds only the properties the class declares', () => {
  it('strips a database row’s extra columns and nested extras, keeping class-transformer’s rules', () => {
    expect(sent(user())).toEqual({
      id: 'u-1',
      display_name: 'Ada',
      updated_at: '2026-03-01T10:00:00.000Z',
      address: { street: 'Main St 1', gps: { lat: '52.1' } },
      tags: [{ label: 'vip' }],
    });
  });

  it('shapes nested classes named by @WebhookProperty({ type }), by design:type alone, and in arrays', () => {
    const body = sent(
      user({
        labels: [{ label: 'a', secret: 1 }, { label: 'b' }],
        note: { text: 'hi', author_email: 'x@example.com' },
        tags: [
          { label: 'one', score: 1 },
          { label: 'two', score: 2 },
        ],
      }),
    );
    expect(body).toMatchObject({
      labels: [{ label: 'a' }, { label: 'b' }],
      note: { text: 'hi' },
      tags: [{ label: 'one' }, { label: 'two' }],
    });
    expect(JSON.stringify(body)).not.toMatch(/secret|author_email|score/);
  });

  it('keeps free-form values (a record, unknown, arrays of plain objects) as they are', () => {
    const metadata = { plan: { tier: 'gold', seats: [1, 2] }, note: null };
    const body = sent(
      user({ attributes: { colour: 'red', size: 'L' }, metadata, history: [{ at: 1, by: 'ada', extra: true }] }),
    ) as Record<string, unknown>;
    expect(body.attributes).toEqual({ colour: 'red', size: 'L' });
    expect(body.metadata).toEqual(metadata);
    expect(body.history).toEqual([{ at: 1, by: 'ada', extra: true }]);
  });

  it('applies @Transform (toPlainOnly) and writes dates, Sets and Maps in free-form values as JSON', () => {
    const body = sent(
      user({
        cents: 12,
        metadata: { when: new Date('2026-01-02T03:04:05.000Z'), ids: new Set([1, 2]), by: new Map([['a', 1]]) },
      }),
    ) as Record<string, unknown>;
    expect(body.cents).toBe(1200);
    expect(body.metadata).toEqual({ when: '2026-01-02T03:04:05.000Z', ids: [1, 2], by: { a: 1 } });
  });

  it('leaves out undefined values and functions as JSON.stringify does, and sends null as null', () => {
    const body = sent(user({ metadata: { gone: undefined, fn: () => 1, kept: null, list: [undefined, 1] } }));
    expect((body as Record<string, unknown>).metadata).toEqual({ kept: null, list: [null, 1] });
  });

  it('inside the envelope, the data is shaped the same way', () => {
    expect(sent(user(), UserUpdated, { envelope: 'standard' })).toEqual({
      type: 'user.updated',
      timestamp: NOW.toISOString(),
      data: expect.objectContaining({ address: { street: 'Main St 1', gps: { lat: '52.1' } } }) as unknown,
    });
  });

  it('sends only the @Expose()d properties of a class marked @Exclude()', () => {
    @Exclude()
    class Card {
      @Expose() @IsString() last4!: string;
      number = '4242424242424242';
    }
    expect(sent(Object.assign(new Card(), { last4: '4242', cvc: '123' }), Card)).toEqual({ last4: '4242' });
  });
});

describe('classes that name classes', () => {
  it('shapes a class that contains itself, at every level', () => {
    class Category {
      @IsString() name!: string;
      @IsOptional() @ValidateNested({ each: true }) @Type(() => Category) children?: Category[];
    }
    const tree = { name: 'a', slug: 'x', children: [{ name: 'b', slug: 'y', children: [{ name: 'c', slug: 'z' }] }] };
    expect(sent(Object.assign(new Category(), tree), Category)).toEqual({
      name: 'a',
      children: [{ name: 'b', children: [{ name: 'c' }] }],
    });
  });

  it('refuses, with a typed error, a @Type whose class is undefined (a circular import) rather than send it unshaped', () => {
    const later: { cls?: Function } = {};
    class Holder {
      @ValidateNested() @Type(() => later.cls as Function) inner!: object;
    }
    expect(() => serializePayload(Object.assign(new Holder(), { inner: { secret: 1 } }), Holder, options)).toThrow(
      WebhookDefinitionError,
    );
    expect(() => serializePayload(new Holder(), Holder, options)).toThrow(/^Holder\.inner: its @Type/);
  });
});

describe("unknownProperties: 'reject'", () => {
  it('names every undeclared property, at every depth, and sends nothing', () => {
    const error = rejected(user());
    expect(error).toMatchObject({ code: 'invalid-payload', payloadName: 'UserUpdated' });
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'session_token',
      'address.gps_secret',
      'address.gps.precise',
      'tags[0].internal_score',
    ]);
    expect(error.issues[0]?.constraints).toEqual({
      unknownProperty: 'session_token is not a property of UserUpdated; remove it or declare it on the class',
    });
    expect(error.message).toMatch(/^send\(\) of 'user\.updated': UserUpdated is invalid; nothing was sent\. /);
  });

  it('does not count an @Exclude()d property as unknown, nor anything on a class marked @Exclude()', () => {
    const clean = Object.assign(new UserUpdated(), user(), { session_token: undefined });
    delete (clean as unknown as Record<string, unknown>).session_token;
    const address = clean.address as unknown as Record<string, unknown>;
    clean.address = Object.assign(new Address(), { street: address.street });
    clean.tags = [{ label: 'vip' }];
    expect(() => serializePayload(clean, UserUpdated, { ...options, unknownProperties: 'reject' })).not.toThrow();
    expect(clean.password_hash).toBe('$2b$12$secret');
  });

  it('names keys that need quoting as JSON strings in the path', () => {
    const error = rejected(user({ 'odd key': 1, tags: [] }));
    expect(error.issues.map((issue) => issue.path)).toContain('["odd key"]');
  });
});
