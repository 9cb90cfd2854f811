import { afterEach, beforeEach, expect } from 'vitest';
import type { WritableEndpointStore } from '../../lib/endpoints';
import { EndpointStoreError } from '../../lib/errors';

/** A store as the contract suite gets it: `close()` is called after each test when the store has one. */
export type ContractStore = WritableEndpointStore & { close?(): Promise<void> };

/** Makes a fresh, empty store for one test. */
export type MakeEndpointStore = () => ContractStore | Promise<ContractStore>;

/** The store of the running test, made before and closed after each one. */
export function useStore(makeStore: MakeEndpointStore): () => ContractStore {
  let store: ContractStore | undefined;
  beforeEach(async () => {
    store = await makeStore();
  });
  afterEach(async () => {
    await store?.close?.();
    store = undefined;
  });
  return () => {
    if (!store) throw new Error('the store is made in beforeEach');
    return store;
  };
}

/** A fixed time, so that timestamps are compared exactly. */
export const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

/**
 * Expects `call` to reject with an `EndpointStoreError` of `code` whose message matches `message` and holds
 * none of `hidden` (secrets, header values): a refusal must say what was wrong without repeating it.
 */
export async function expectRefusal(
  call: Promise<unknown> | (() => Promise<unknown>),
  code: string,
  message: RegExp,
  hidden: readonly string[] = [],
): Promise<EndpointStoreError> {
  const error = await (typeof call === 'function' ? call() : call).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(EndpointStoreError);
  const refusal = error as EndpointStoreError;
  expect({ code: refusal.code, message: refusal.message }).toEqual({ code, message: expect.stringMatching(message) });
  for (const value of hidden) expect(refusal.message).not.toContain(value);
  return refusal;
}
