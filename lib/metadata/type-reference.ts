/**
 * Resolves a type given either directly (`Order`) or as an arrow-function thunk (`() => Order`).
 * Arrow functions have no `prototype`; classes and constructors do, which tells the two apart.
 */
export function resolveTypeReference(reference: unknown): unknown {
  if (typeof reference === 'function' && reference.prototype === undefined) {
    return (reference as () => unknown)();
  }
  return reference;
}
