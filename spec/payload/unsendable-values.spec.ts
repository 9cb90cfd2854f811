import { HookspecError, WebhookValidationError } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { IsString, Validate, ValidatorConstraint } from 'class-validator';
import type { ValidatorConstraintInterface } from 'class-validator';
import { findTooDeep, MAX_JSON_DEPTH, payloadFromBody, preparePayload, serializePayload } from '../../lib/payload';
import type { SerializeOptions } from '../../lib/payload';
import { user, UserUpdated } from './payload-classes';

const options: SerializeOptions = { event: 'user.updated', envelope: 'none', now: new Date() };

function issuesOf(payload: object, extra: Partial<SerializeOptions> = {}): Record<string, string> {
  try {
    serializePayload(payload, UserUpdated, { ...options, ...extra });
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookValidationError);
    expect(error).toBeInstanceOf(HookspecError);
    const issues = (error as WebhookValidationError).issues;
    return Object.fromEntries(issues.map((issue) => [issue.path, Object.keys(issue.constraints).join(',')]));
  }
  throw new Error('serializePayload did not throw');
}

/** `{ next: { next: … } }`, `levels` objects deep. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < levels; level++) value = { next: value };
  return value;
}

describe('a payload that JSON cannot carry is refused with the path of each value', () => {
  it('a circular reference in a free-form value or through nested classes', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    const payload = user({ metadata: { loop } });
    payload.address.gps = payload.address as never;
    expect(issuesOf(payload)).toEqual({ 'address.gps': 'notCircular', 'metadata.loop.self': 'notCircular' });
  });

  it('the same object twice, side by side, is not a cycle', () => {
    const shared = { a: 1 };
    expect(JSON.parse(serializePayload(user({ metadata: [shared, shared] }), UserUpdated, options))).toMatchObject({
      metadata: [{ a: 1 }, { a: 1 }],
    });
  });

  it('a BigInt, NaN, Infinity and an invalid Date', () => {
    const payload = user({ metadata: { big: 10n, ratio: Number.NaN, list: [Infinity] }, updated_at: new Date('x') });
    expect(issuesOf(payload)).toEqual({
      updated_at: 'validDate',
      'metadata.big': 'notBigInt',
      'metadata.ratio': 'finiteNumber',
      'metadata.list[0]': 'finiteNumber',
    });
  });

  it('a getter or a toJSON that throws, with its message', () => {
    const metadata = {
      get broken(): string {
        throw new Error('lazy load failed');
      },
      stamp: {
        toJSON(): never {
          throw new Error('no JSON');
        },
      },
    };
    const payload = user({ metadata });
    Object.defineProperty(payload, 'id', {
      get: () => {
        throw new TypeError('row is closed');
      },
    });
    const error = (() => {
      try {
        serializePayload(payload, UserUpdated, options);
      } catch (caught) {
        return caught as WebhookValidationError;
      }
    })();
    expect(error?.issues.map((issue) => issue.path)).toEqual(['id', 'metadata.broken', 'metadata.stamp']);
    expect(error?.message).toContain('id could not be serialised: reading it threw row is closed');
    expect(error?.message).toContain('metadata.stamp could not be serialised: toJSON threw no JSON');
  });

  it(`nesting deeper than MAX_JSON_DEPTH (${MAX_JSON_DEPTH}) levels, counted as the receivers count the body`, () => {
    // The payload is level 1 and metadata level 2: metadata may hold MAX_JSON_DEPTH - 1 levels.
    const fits = user({ metadata: nested(MAX_JSON_DEPTH - 1) });
    const body = serializePayload(fits, UserUpdated, options);
    expect(findTooDeep(JSON.parse(body))).toBeUndefined();
    const deep = issuesOf(user({ metadata: nested(MAX_JSON_DEPTH) }));
    expect(Object.values(deep)).toEqual(['maxDepth']);
    expect(Object.keys(deep)[0]).toBe('metadata.next.next.next.next….next.next');
    // The envelope adds a level above the payload.
    expect(Object.values(issuesOf(fits, { envelope: 'standard' }))).toEqual(['maxDepth']);
  });

  it('does not touch undeclared properties at all: a cycle or a throwing getter there is stripped, not read', () => {
    const extra: Record<string, unknown> = {};
    extra.self = extra;
    const payload = user({ extra });
    Object.defineProperty(payload, 'lazy', {
      enumerable: true,
      get: () => {
        throw new Error('never read');
      },
    });
    expect(JSON.parse(serializePayload(payload, UserUpdated, options))).not.toHaveProperty('extra');
  });
});

describe('a custom validator that throws', () => {
  it('is a WebhookValidationError, on both sides, not a plain error', async () => {
    @ValidatorConstraint({ name: 'explodes' })
    class Explodes implements ValidatorConstraintInterface {
      validate(): boolean {
        throw new Error('validator bug');
      }
    }
    class Fragile {
      @Validate(Explodes) @IsString() name!: string;
    }
    const fragile = Object.assign(new Fragile(), { name: 'x' });
    await expect(preparePayload(fragile, Fragile, { ...options, maxPayloadBytes: 1000 })).rejects.toMatchObject({
      name: 'WebhookValidationError',
      issues: [{ path: '', constraints: { validator: 'a validator threw: validator bug' } }],
    });
    await expect(payloadFromBody(Fragile, { name: 'x' })).rejects.toBeInstanceOf(WebhookValidationError);
  });
});
