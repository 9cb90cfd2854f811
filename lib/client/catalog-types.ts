/** A class, as far as the type system can tell: something `new` makes an object of. */
export type WebhookClass = abstract new (...args: never[]) => object;

/**
 * The first parameter's type of each method of `I` that takes an object: a method-style payload. `any`
 * (`0 extends 1 & P`: it would let every value through, `send(undefined)` included) and `unknown` (also
 * what a method without parameters infers) give nothing; an optional parameter gives its type without
 * `undefined`.
 */
export type MethodPayloads<I> = {
  [K in keyof I]: I[K] extends (first: infer P, ...rest: never[]) => unknown
    ? 0 extends 1 & P
      ? never
      : unknown extends P
        ? never
        : NonNullable<P> extends object
          ? NonNullable<P>
          : never
    : never;
}[keyof I];

/**
 * What `send()` accepts for a catalog: instances of the class-style payload classes, and for
 * method-style catalogs the type of the method's first parameter (`stockChanged(@Payload() e: StockChange)`).
 * A method that names its payload only in `@Payload(X)` gives no type; declare the parameter, or give the
 * client its payload type explicitly: `new WebhookClient<typeof catalog, Subscription | PaymentSuccess>(…)`.
 * A class or parameter typed `any` adds nothing, so `send(undefined)` never compiles.
 */
export type CatalogPayload<C extends readonly WebhookClass[]> = {
  [I in keyof C]: C[I] extends abstract new (...args: never[]) => infer T
    ? 0 extends 1 & T
      ? never
      : T extends object
        ? T | MethodPayloads<T>
        : never
    : never;
}[number];
