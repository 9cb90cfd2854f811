import { EndpointStoreError } from '../errors';
import { describe } from '../options';

/*
 * The refusals every store words alike. An id is shown through `describe`, which shortens a long one: ids
 * reach a store from URLs and request bodies.
 */

/** How a call on one endpoint is named in messages: `SqliteEndpointStore.update('ep_…')`. */
export function callOn(store: string, method: string, id: unknown): string {
  return `${store}.${method}(${describe(id)})`;
}

export function unknownEndpoint(id: string, where: string): EndpointStoreError {
  return new EndpointStoreError('unknown-endpoint', `${where}: no endpoint has the id ${describe(id)}.`);
}

export function duplicateEndpoint(id: string, where: string): EndpointStoreError {
  return new EndpointStoreError(
    'duplicate-endpoint',
    `${where}: an endpoint with the id ${describe(id)} exists already; give another id, or omit it for a generated one.`,
  );
}

export function reusedSecret(where: string): EndpointStoreError {
  return new EndpointStoreError(
    'invalid-endpoint',
    `${where}: secret is already one of this endpoint's secrets; a rotation needs a new one ` +
      '(omit it for a generated one).',
  );
}
