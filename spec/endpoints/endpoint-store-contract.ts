import { describe } from 'vitest';
import { describeChangesContract } from './contract-changes';
import { describeCreateContract } from './contract-create';
import type { MakeEndpointStore } from './contract-harness';
import { describeListContract } from './contract-list';
import { describeRoutingContract } from './contract-routing';
import { describeSecretsContract } from './contract-secrets';

export type { ContractStore, MakeEndpointStore } from './contract-harness';

/**
 * The behaviour every WritableEndpointStore must have (memory, SQLite, PostgreSQL). It speaks only through
 * the interface, passes `now` to every writing call, and reads the real clock only where the interface
 * does (endpointsFor/endpointById drop the secrets whose grace is over): call it from a store's spec with
 * a factory that returns a fresh, empty store; a store with `close()` is closed after each test.
 */
export function describeEndpointStoreContract(name: string, makeStore: MakeEndpointStore): void {
  describe(`${name} keeps the WritableEndpointStore contract`, () => {
    describeCreateContract(makeStore);
    describeListContract(makeStore);
    describeChangesContract(makeStore);
    describeRoutingContract(makeStore);
    describeSecretsContract(makeStore);
  });
}
