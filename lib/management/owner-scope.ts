/** `string`: that customer's; `null`: the app's own endpoints and messages, those without an owner. */
export type OwnerScope = string | null;
