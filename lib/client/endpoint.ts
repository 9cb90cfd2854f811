/** One subscriber URL and how to sign for it. */
export interface WebhookEndpoint {
  /** Stable identifier, kept in the queue and in events. Default: the URL without user info and query string. */
  id?: string;
  /**
   * The customer or account this endpoint belongs to: it receives only what is sent with
   * `send(payload, { owner })` for the same owner. Default: none (it receives what is sent without an owner).
   */
  owner?: string;
  /** Where to POST; `http:` or `https:`. */
  url: string;
  /** The `whsec_…` secret to sign with. */
  secret?: string;
  /** Several `whsec_…` secrets while one is rotated: every one signs, and the receiver accepts any. */
  secrets?: readonly string[];
  /** A `whsk_…` ed25519 private key, for asymmetric `v1a` signatures (alone or beside secrets). */
  privateKey?: string;
  /** The webhook names this endpoint receives. Default: all of the client's webhooks. */
  events?: readonly string[];
  /** Extra request headers, e.g. an API key of the receiver's. Cannot replace the `webhook-*` headers. */
  headers?: Readonly<Record<string, string>>;
  /** A disabled endpoint receives nothing. Default: true. */
  enabled?: boolean;
}

/**
 * Endpoints kept elsewhere (a database, a config service). `endpointsFor` runs on every `send()`, with
 * the send's owner (`undefined` for none): a store may use it to narrow its lookup, and the client keeps
 * only the endpoints whose `owner` is exactly that one, whatever the store answers;
 * `endpointById` runs before every attempt, so a rotated secret or a disabled endpoint takes effect on
 * the next attempt. `disable` is told when an endpoint answers 410 Gone.
 */
export interface EndpointStore {
  endpointsFor(event: string, owner?: string): Promise<readonly WebhookEndpoint[]>;
  endpointById(id: string): Promise<WebhookEndpoint | undefined>;
  disable?(id: string, reason: string): Promise<void>;
  /** Called by `client.enableEndpoint(id)`. */
  enable?(id: string): Promise<void>;
}
