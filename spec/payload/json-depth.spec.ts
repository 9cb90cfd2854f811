import { describe, expect, it } from 'vitest';
import { findTooDeep, MAX_JSON_DEPTH } from '../../lib/payload/json-depth';

describe('findTooDeep', () => {
  it('names the path to the first value nested past the limit, shortened in the middle', () => {
    let value: unknown = 1;
    for (let level = 0; level < 3000; level++) value = { a: [value] };
    expect(findTooDeep(value)).toBe('a[0].a[0]….a[0]');
  });

  it('accepts a value exactly at the limit and refuses one level more', () => {
    expect(findTooDeep({ a: { b: 1 } }, 2)).toBeUndefined();
    expect(findTooDeep({ a: { b: {} } }, 2)).toBe('a.b');
    expect(findTooDeep([[['x']]], 2)).toBe('[0][0]');
    expect(findTooDeep({ 'odd key': { x: {} } }, 2)).toBe('["odd key"].x');
  });

  it('takes primitives and the default limit of 128 levels', () => {
    expect(findTooDeep('text')).toBeUndefined();
    expect(findTooDeep(null)).toBeUndefined();
    let value: unknown = {};
    for (let level = 1; level < MAX_JSON_DEPTH; level++) value = [value];
    expect(findTooDeep(value)).toBeUndefined();
    expect(findTooDeep([value])).toMatch(/^\[0\]/);
  });

  it('counts own properties only: a deep value on the prototype does not make an object too deep', () => {
    const inherited = Object.create({ deep: { a: { b: {} } } }) as object;
    expect(findTooDeep({ x: inherited }, 2)).toBeUndefined();
    expect(findTooDeep({ x: Object.assign(Object.create(null) as object, { y: {} }) }, 2)).toBe('x.y');
  });

  it('refuses a cycle as too deep instead of walking it forever', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(findTooDeep(cycle, 4)).toBe('self.self.self.self');
  });
});
