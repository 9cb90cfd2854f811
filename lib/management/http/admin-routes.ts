/*
 * The management API, one row per operation: method, path, what it reads and answers (by DTO class), the
 * errors it may answer, and the WebhookAdmin call. handleAdminRequest serves this table and
 * buildAdminOpenApi documents it, so every route served is a route documented, and the other way round.
 */
import type { WebhookAdminErrorCode } from '../../errors';
import type { PortalCapability } from '../portal-token';
import type { WebhookAdmin } from '../webhook-admin';
import type { OwnerScope } from '../webhook-admin-options';
import type { AdminDto, AdminDtoName } from './dto/admin-dtos';
import { parseDateTime } from './dto/wire-validators';
import {
  endpointListOut,
  endpointOut,
  endpointStatsOut,
  endpointWithSecretOut,
  eventTypeListOut,
  messageListOut,
  messageOut,
  resendOut,
  sendResultOut,
} from './wire-format';

export type AdminMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

type DtoOf<N> = N extends AdminDtoName ? AdminDto<N> : undefined;

/** What a route's call is given: the authorized owner, the path's `{id}`, the checked query and body. */
export interface RouteCall<Q, B> {
  readonly admin: WebhookAdmin;
  readonly owner: OwnerScope;
  readonly id: string;
  readonly query: DtoOf<Q>;
  readonly body: DtoOf<B>;
}

export interface AdminRoute<
  Q extends AdminDtoName | undefined = AdminDtoName | undefined,
  B extends AdminDtoName | undefined = AdminDtoName | undefined,
  R extends AdminDtoName | undefined = AdminDtoName | undefined,
> {
  readonly method: AdminMethod;
  /** Relative to where the app mounts the API; `{id}` is one path segment. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  readonly query?: Q;
  /** The body's DTO; a body whose DTO has no required field may be left out. None: the route takes no body. */
  readonly body?: B;
  /** The success status. */
  readonly status: number;
  /** The success body's DTO; none for 204. */
  readonly response?: R;
  /**
   * What a portal token needs to call the route: a capability, or all of several; `false`: the route is
   * the app's alone, never open to a portal token. Requests the app's `authorize` let in may call any route.
   */
  readonly capability: PortalCapability | readonly PortalCapability[] | false;
  /** The `WebhookAdminError` codes this route answers beyond those of every route. */
  readonly errors: readonly WebhookAdminErrorCode[];
  readonly call: (call: RouteCall<Q, B>) => Promise<DtoOf<R>>;
}

/**
 * Whether a route's request body is read: a POST or PATCH, even one that takes no body (it must then be
 * empty). A GET's or DELETE's body is never read.
 */
export function readsBody(route: AdminRoute): boolean {
  return route.method === 'POST' || route.method === 'PATCH';
}

/** Keeps each row's types: its call sees its own query and body DTOs and must answer its response DTO. */
function route<
  const Q extends AdminDtoName | undefined = undefined,
  const B extends AdminDtoName | undefined = undefined,
  const R extends AdminDtoName | undefined = undefined,
>(row: AdminRoute<Q, B, R>): AdminRoute {
  return row as unknown as AdminRoute;
}

/** Epoch milliseconds of a DTO's date-time field; the DTO has checked it already. */
const ms = (value: string): number => parseDateTime(value) as number;
const window = (since: string, until: string | undefined) =>
  until === undefined ? { since: ms(since) } : { since: ms(since), until: ms(until) };
/** The fields given, without those left out or sent as null where null means nothing (on creation). */
const given = <T extends object>(fields: T): T =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null)) as T;
/** The fields given; null is kept, since in a patch it clears the field. */
const present = <T extends object>(fields: T): T =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;

const ENDPOINT_CHECKS: readonly WebhookAdminErrorCode[] = [
  'invalid-endpoint',
  'reserved-header',
  'unknown-event',
  'ssrf-blocked',
];

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  route({
    method: 'GET',
    path: '/event-types',
    operationId: 'listWebhookEventTypes',
    summary: 'List the event types',
    description: 'Every webhook an endpoint can subscribe to, with the JSON Schema of its body and an example.',
    status: 200,
    response: 'EventTypeListOut',
    capability: 'view',
    errors: [],
    call: async ({ admin }) => eventTypeListOut(await admin.eventTypes()),
  }),
  route({
    method: 'GET',
    path: '/endpoints',
    operationId: 'listWebhookEndpoints',
    summary: 'List endpoints',
    description: 'Your endpoints, oldest first, a page at a time.',
    query: 'EndpointListQuery',
    status: 200,
    response: 'EndpointListOut',
    capability: 'view',
    errors: ['invalid-cursor'],
    call: async ({ admin, owner, query }) => endpointListOut(await admin.listEndpoints(owner, present({ ...query }))),
  }),
  route({
    method: 'POST',
    path: '/endpoints',
    operationId: 'createWebhookEndpoint',
    summary: 'Register an endpoint',
    description:
      'Registers a URL to receive webhooks, and answers its signing secret: the only time the secret is shown. ' +
      "The URL must be http: or https: and reach a public address; `events` must be the API's event types.",
    body: 'EndpointIn',
    status: 201,
    response: 'EndpointWithSecretOut',
    capability: 'manage-endpoints',
    errors: [...ENDPOINT_CHECKS, 'duplicate-endpoint'],
    call: async ({ admin, owner, body }) =>
      endpointWithSecretOut(await admin.createEndpoint(owner, given({ ...body }))),
  }),
  route({
    method: 'GET',
    path: '/endpoints/{id}',
    operationId: 'getWebhookEndpoint',
    summary: 'Get an endpoint',
    description: 'The endpoint, without its secret.',
    status: 200,
    response: 'EndpointOut',
    capability: 'view',
    errors: ['unknown-endpoint'],
    call: async ({ admin, owner, id }) => endpointOut(await admin.getEndpoint(owner, id)),
  }),
  route({
    method: 'PATCH',
    path: '/endpoints/{id}',
    operationId: 'updateWebhookEndpoint',
    summary: 'Change an endpoint',
    description: 'Changes the fields given; `null` removes an optional one. A new URL is checked as on creation.',
    body: 'EndpointPatchIn',
    status: 200,
    response: 'EndpointOut',
    capability: 'manage-endpoints',
    errors: ['unknown-endpoint', ...ENDPOINT_CHECKS],
    call: async ({ admin, owner, id, body }) =>
      endpointOut(await admin.updateEndpoint(owner, id, present({ ...body }))),
  }),
  route({
    method: 'DELETE',
    path: '/endpoints/{id}',
    operationId: 'deleteWebhookEndpoint',
    summary: 'Delete an endpoint',
    description: 'Deletes the endpoint and its secrets. Its messages stay in the history.',
    status: 204,
    capability: 'manage-endpoints',
    errors: ['unknown-endpoint'],
    call: async ({ admin, owner, id }) => {
      await admin.deleteEndpoint(owner, id);
      return undefined;
    },
  }),
  route({
    method: 'POST',
    path: '/endpoints/{id}/enable',
    operationId: 'enableWebhookEndpoint',
    summary: 'Enable an endpoint',
    description: 'It receives new messages again. Deliveries skipped while it was disabled stay skipped: recover them.',
    status: 200,
    response: 'EndpointOut',
    capability: 'manage-endpoints',
    errors: ['unknown-endpoint'],
    call: async ({ admin, owner, id }) => endpointOut(await admin.enableEndpoint(owner, id)),
  }),
  route({
    method: 'POST',
    path: '/endpoints/{id}/disable',
    operationId: 'disableWebhookEndpoint',
    summary: 'Disable an endpoint',
    description: 'Nothing is sent to it until it is enabled; its messages are kept as skipped deliveries.',
    body: 'DisableEndpointIn',
    status: 200,
    response: 'EndpointOut',
    capability: 'manage-endpoints',
    errors: ['unknown-endpoint'],
    call: async ({ admin, owner, id, body }) => endpointOut(await admin.disableEndpoint(owner, id, body.reason)),
  }),
  route({
    method: 'POST',
    path: '/endpoints/{id}/rotate-secret',
    operationId: 'rotateWebhookEndpointSecret',
    summary: "Rotate an endpoint's secret",
    description:
      'Makes a new signing secret and answers it (the only time it is shown). The previous secret keeps ' +
      'signing beside it for `graceMs`, so the receiver can switch without losing a webhook.',
    body: 'RotateSecretIn',
    status: 200,
    response: 'EndpointWithSecretOut',
    capability: ['manage-endpoints', 'view-secret'],
    errors: ['unknown-endpoint'],
    call: async ({ admin, owner, id, body }) =>
      endpointWithSecretOut(await admin.rotateSecret(owner, id, present({ graceMs: body.graceMs }))),
  }),
  route({
    method: 'POST',
    path: '/endpoints/{id}/send-example',
    operationId: 'sendWebhookExample',
    summary: 'Send an example to an endpoint',
    description:
      "Sends the event type's example (or `payload`, validated as the event type's schema) to this endpoint " +
      'only, signed and retried like any webhook.',
    body: 'SendExampleIn',
    status: 202,
    response: 'SendResultOut',
    capability: 'manage-endpoints',
    errors: ['unknown-endpoint', 'unknown-event', 'payload-too-large'],
    call: async ({ admin, owner, id, body }) =>
      sendResultOut(await admin.sendExample(owner, id, present({ event: body.event, payload: body.payload }))),
  }),
  route({
    method: 'POST',
    path: '/endpoints/{id}/recover',
    operationId: 'recoverWebhookEndpoint',
    summary: 'Recover failed deliveries',
    description:
      'Sends again, with a fresh retry schedule, the deliveries to this endpoint that failed for good or were ' +
      'skipped while it was disabled, of the messages created in [since, until).',
    body: 'RecoverIn',
    status: 202,
    response: 'RecoverOut',
    capability: 'resend',
    errors: ['unknown-endpoint'],
    call: async ({ admin, owner, id, body }) => admin.recoverEndpoint(owner, id, window(body.since, body.until)),
  }),
  route({
    method: 'GET',
    path: '/endpoints/{id}/stats',
    operationId: 'getWebhookEndpointStats',
    summary: "An endpoint's delivery counts",
    description: 'Deliveries to this endpoint of the messages created in [since, until), by state.',
    query: 'StatsQuery',
    status: 200,
    response: 'EndpointStatsOut',
    capability: 'view',
    errors: ['unknown-endpoint'],
    call: async ({ admin, owner, id, query }) =>
      endpointStatsOut(await admin.endpointStats(owner, id, window(query.since, query.until))),
  }),
  route({
    method: 'GET',
    path: '/messages',
    operationId: 'listWebhookMessages',
    summary: 'List messages',
    description: 'Your messages, newest first, with their deliveries and attempts, a page at a time.',
    query: 'MessageListQuery',
    status: 200,
    response: 'MessageListOut',
    capability: 'view',
    errors: ['invalid-cursor'],
    call: async ({ admin, owner, query }) => {
      const { since, until, ...rest } = query;
      const times = present({
        since: since === undefined ? undefined : ms(since),
        until: until === undefined ? undefined : ms(until),
      });
      return messageListOut(await admin.listMessages(owner, present({ ...rest, ...times })));
    },
  }),
  route({
    method: 'GET',
    path: '/messages/{id}',
    operationId: 'getWebhookMessage',
    summary: 'Get a message',
    description: 'The message, its payload (until erased), and every delivery with its attempt log.',
    status: 200,
    response: 'MessageOut',
    capability: 'view',
    errors: ['unknown-message'],
    call: async ({ admin, owner, id }) => messageOut(await admin.getMessage(owner, id)),
  }),
  route({
    method: 'POST',
    path: '/messages/{id}/resend',
    operationId: 'resendWebhookMessage',
    summary: 'Resend a message',
    description:
      'Sends the message again, with the same `webhook-id`, to each of its endpoints (or `endpointId` only), ' +
      'delivered ones included. Deliveries that cannot start again are listed in `skipped` with the reason.',
    body: 'ResendIn',
    status: 202,
    response: 'ResendOut',
    capability: 'resend',
    errors: ['unknown-message', 'unknown-endpoint', 'payload-erased'],
    call: async ({ admin, owner, id, body }) =>
      resendOut(await admin.resendMessage(owner, id, present({ endpointId: body.endpointId }))),
  }),
  route({
    method: 'DELETE',
    path: '/messages/{id}/payload',
    operationId: 'eraseWebhookMessagePayload',
    summary: "Erase a message's payload",
    description:
      'Deletes the payload and keeps the delivery records and attempt logs; deliveries still pending are ' +
      'cancelled. It cannot be resent afterwards.',
    status: 204,
    // Erasure is the app's compliance tool (a data subject's request), not a customer's setting.
    capability: false,
    errors: ['unknown-message'],
    call: async ({ admin, owner, id }) => {
      await admin.erasePayload(owner, id);
      return undefined;
    },
  }),
];
