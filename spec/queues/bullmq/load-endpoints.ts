import { startRecordingServer } from '../../support/recording-server';

/** How a load-test endpoint answers: 204 at once, 204 after `delayMs`, or always 500. */
export type LoadEndpointKind =
  { readonly kind: 'healthy' } | { readonly kind: 'slow'; readonly delayMs: number } | { readonly kind: 'failing' };

/**
 * One endpoint of the load test, on its own loopback server. It keeps counts, not requests: how many
 * requests each webhook-id brought, so a run of tens of thousands of requests stays small in the test
 * process.
 */
export interface LoadEndpoint {
  readonly id: string;
  readonly url: string;
  readonly behaviour: LoadEndpointKind;
  /** Requests per webhook-id. */
  readonly byId: Map<string, number>;
  requests(): number;
  close(): Promise<void>;
}

export async function startLoadEndpoint(id: string, behaviour: LoadEndpointKind): Promise<LoadEndpoint> {
  const byId = new Map<string, number>();
  const server = await startRecordingServer({
    record: false,
    answer: (request) => {
      const webhookId = String(request.headers['webhook-id']);
      byId.set(webhookId, (byId.get(webhookId) ?? 0) + 1);
      if (behaviour.kind === 'failing') return { status: 500, body: 'failing on purpose' };
      if (behaviour.kind === 'slow') return { status: 204, delayMs: behaviour.delayMs };
      return { status: 204 };
    },
  });
  return {
    id,
    url: `${server.url}/hooks/${id}`,
    behaviour,
    byId,
    requests: server.received,
    close: () => server.close(),
  };
}
