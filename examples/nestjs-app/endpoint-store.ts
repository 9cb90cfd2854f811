import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { generateSecret } from 'hookspec';
import type { EndpointStore, WebhookEndpoint } from 'hookspec';

/** An endpoint as the management API lists it: never with its secret. */
export interface EndpointView {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
}

/**
 * The subscribers' endpoints, kept in memory for the example (a table in a real service). The client
 * reads it on every send and before every attempt, so a new or disabled endpoint takes effect at once.
 */
@Injectable()
export class InMemoryEndpointStore implements EndpointStore {
  private readonly endpoints = new Map<
    string,
    Required<Pick<WebhookEndpoint, 'id' | 'url' | 'secret'>> & EndpointView
  >();

  /** Creates an endpoint with a fresh secret, returned here and never again. */
  create(url: string, events: readonly string[]): EndpointView & { secret: string } {
    const endpoint = { id: `ep_${randomUUID()}`, url, events: [...events], enabled: true, secret: generateSecret() };
    this.endpoints.set(endpoint.id, endpoint);
    return { ...endpoint };
  }

  list(): EndpointView[] {
    return [...this.endpoints.values()].map(({ id, url, events, enabled }) => ({ id, url, events, enabled }));
  }

  async endpointsFor(event: string): Promise<readonly WebhookEndpoint[]> {
    return [...this.endpoints.values()].filter((endpoint) => endpoint.events.includes(event));
  }

  async endpointById(id: string): Promise<WebhookEndpoint | undefined> {
    return this.endpoints.get(id);
  }

  async disable(id: string): Promise<void> {
    const endpoint = this.endpoints.get(id);
    if (endpoint) endpoint.enabled = false;
  }

  async enable(id: string): Promise<void> {
    const endpoint = this.endpoints.get(id);
    if (endpoint) endpoint.enabled = true;
  }
}
