/** A class, as far as the type system can tell: something `new` makes an object of. */
export type WebhookClass = abstract new (...args: never[]) => object;

/** The first parameter's type of each method of `I` that takes an object: a method-style payload. */
type MethodPayloads<I> = {
  [K in keyof I]: I[K] extends (first: infer P, ...rest: never[]) => unknown ? (P extends object ? P : never) : never;
}[keyof I];

/**
 * What `send()` accepts for a catalog: instances of the class-style payload classes, and for
 * method-style catalogs the type of the method's first parameter (`stockChanged(@Payload() e: StockChange)`).
 * A method that names its payload only in `@Payload(X)` gives no type; declare the parameter, or give the
 * client its event type explicitly: `new WebhookClient<typeof catalog, Subscription | PaymentSuccess>(…)`.
 */
export type CatalogEvent<C extends readonly WebhookClass[]> = {
  [I in keyof C]: C[I] extends abstract new (...args: never[]) => infer T
    ? T extends object
      ? T | MethodPayloads<T>
      : never
    : never;
}[number];
