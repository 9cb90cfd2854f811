import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../lib/queues/memory/min-heap';

interface Item {
  readonly due: number;
  readonly seq: number;
}

const before = (a: Item, b: Item): boolean => a.due < b.due || (a.due === b.due && a.seq < b.seq);
const sorted = (items: readonly Item[]): Item[] => [...items].sort((a, b) => (before(a, b) ? -1 : 1));

/** A small deterministic generator, so a failure names a reproducible sequence. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function drain(heap: MinHeap<Item>): Item[] {
  const out: Item[] = [];
  for (let item = heap.pop(); item !== undefined; item = heap.pop()) out.push(item);
  return out;
}

describe('MinHeap (the MemoryQueue’s due order)', () => {
  it('pops items pushed in order first in, first out', () => {
    const heap = new MinHeap<Item>(before);
    const items = Array.from({ length: 3_000 }, (_, seq) => ({ due: Math.floor(seq / 10), seq }));
    for (const item of items) heap.push(item);
    expect(heap.size).toBe(3_000);
    expect(heap.peek()).toEqual({ due: 0, seq: 0 });
    expect(drain(heap)).toEqual(items);
    expect(heap.size).toBe(0);
  });

  it('pops in order whatever the push order, with pops between the pushes', () => {
    for (const seed of [1, 7, 42]) {
      const next = random(seed);
      const heap = new MinHeap<Item>(before);
      const pushed: Item[] = [];
      const popped: Item[] = [];
      for (let seq = 0; seq < 2_000; seq += 1) {
        // Mostly in order (new work due now), some due later or earlier (retries, redeliveries).
        const due = next() < 0.7 ? seq : Math.floor(next() * 2_000);
        const item = { due, seq };
        heap.push(item);
        pushed.push(item);
        if (next() < 0.4) {
          const expected = sorted(pushed.filter((candidate) => !popped.includes(candidate)))[0];
          expect(heap.peek()).toBe(expected);
          popped.push(heap.pop() as Item);
        }
      }
      const rest = drain(heap);
      expect(rest).toEqual(sorted(rest));
      expect(popped.length + rest.length).toBe(pushed.length);
      expect(new Set([...popped, ...rest]).size).toBe(pushed.length);
    }
  });

  it('removes the selected items and keeps the order of the rest', () => {
    const heap = new MinHeap<Item>(before);
    const items = [5, 1, 9, 2, 2, 8, 3, 7].map((due, seq) => ({ due, seq }));
    for (const item of items) heap.push(item);
    heap.removeWhere((item) => item.due % 2 === 0);
    expect(heap.size).toBe(5);
    expect(drain(heap)).toEqual(sorted(items.filter((item) => item.due % 2 === 1)));
  });
});
