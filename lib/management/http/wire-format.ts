/*
 * What the management API answers, from what WebhookAdmin returns: times become ISO 8601 strings (epoch
 * milliseconds inside), bodies become parsed JSON, pages become `{ data, nextCursor? }`, and a secret
 * appears only where the caller has to be shown it (creation, rotation). Each function is typed by its
 * DTO class, so the answer and its documented schema are one shape.
 */
import type { RedeliverResult, SendResult } from '../../client';
import type { DeliveryRecord, MessageView } from '../../delivery/delivery-records';
import type { EndpointStats, Page } from '../../delivery/message-history';
import { deliveryState } from '../../delivery/message-history';
import type { EndpointWithSecret, StoredEndpoint } from '../../endpoints';
import type { EventTypeView } from '../event-types';
import type { AdminDto } from './dto/admin-dtos';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Copies the keys whose value is not undefined: an absent field is left out, never sent as null. */
function defined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

export function endpointOut(endpoint: StoredEndpoint): AdminDto<'EndpointOut'> {
  return defined({
    id: endpoint.id,
    owner: endpoint.owner,
    url: endpoint.url,
    events: endpoint.events && [...endpoint.events],
    description: endpoint.description,
    headers: endpoint.headers && { ...endpoint.headers },
    metadata: endpoint.metadata && { ...endpoint.metadata },
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    createdAt: iso(endpoint.createdAt),
    updatedAt: iso(endpoint.updatedAt),
  });
}

export function endpointListOut(page: Page<StoredEndpoint>): AdminDto<'EndpointListOut'> {
  return defined({ data: page.items.map(endpointOut), nextCursor: page.nextCursor });
}

export function endpointWithSecretOut({ endpoint, secret }: EndpointWithSecret): AdminDto<'EndpointWithSecretOut'> {
  return { endpoint: endpointOut(endpoint), secret };
}

export function endpointStatsOut(stats: EndpointStats): AdminDto<'EndpointStatsOut'> {
  return defined({
    endpointId: stats.endpointId,
    since: iso(stats.since),
    until: iso(stats.until),
    pending: stats.pending,
    failing: stats.failing,
    delivered: stats.delivered,
    exhausted: stats.exhausted,
    disabled: stats.disabled,
    lastSuccessAt: stats.lastSuccessAt === undefined ? undefined : iso(stats.lastSuccessAt),
    lastFailureAt: stats.lastFailureAt === undefined ? undefined : iso(stats.lastFailureAt),
  });
}

export function sendResultOut(result: SendResult): AdminDto<'SendResultOut'> {
  return defined({
    id: result.id,
    event: result.event,
    owner: result.owner,
    deliveries: result.deliveries.map(({ endpointId, url }) => ({ endpointId, url })),
    skipped: result.skipped.map(({ endpointId, url, reason }) => ({ endpointId, url, reason })),
  });
}

export function resendOut(result: RedeliverResult): AdminDto<'ResendOut'> {
  return {
    restarted: result.restarted,
    skipped: result.skipped.map(({ endpointId, reason }) => ({ endpointId, reason })),
  };
}

function deliveryOut(delivery: DeliveryRecord): AdminDto<'DeliveryOut'> {
  return defined({
    endpointId: delivery.endpointId,
    url: delivery.url,
    state: deliveryState(delivery),
    nextAttemptAt:
      delivery.status === 'pending' && delivery.nextAttemptAt !== undefined ? iso(delivery.nextAttemptAt) : undefined,
    attempts: delivery.attempts.map((attempt) =>
      defined({
        attempt: attempt.attempt,
        startedAt: iso(attempt.startedAt),
        durationMs: attempt.durationMs,
        status: attempt.status,
        errorCode: attempt.errorCode,
        error: attempt.error,
        response: attempt.response,
        responseTruncated: attempt.responseTruncated,
      }),
    ),
  });
}

export function messageOut({ message, deliveries }: MessageView): AdminDto<'MessageOut'> {
  const erased = message.erasedAt !== undefined;
  return defined({
    id: message.id,
    event: message.event,
    owner: message.owner,
    createdAt: iso(message.createdAt),
    // The queue keeps the exact bytes sent, which hookspec serialised from a JSON object.
    payload: erased ? null : (JSON.parse(message.body) as Record<string, unknown>),
    erasedAt: erased ? iso(message.erasedAt as number) : undefined,
    deliveries: deliveries.map(deliveryOut),
  });
}

export function messageListOut(page: Page<MessageView>): AdminDto<'MessageListOut'> {
  return defined({ data: page.items.map(messageOut), nextCursor: page.nextCursor });
}

export function eventTypeListOut(views: readonly EventTypeView[]): AdminDto<'EventTypeListOut'> {
  return {
    data: views.map((view) =>
      defined({
        name: view.name,
        summary: view.summary,
        description: view.description,
        tags: view.tags && [...view.tags],
        deprecated: view.deprecated,
        schema: view.schema,
        example: view.example as Record<string, unknown> | undefined,
      }),
    ),
  };
}
