import type { ParameterObject, ResponsesObject } from 'openapi3-ts/oas31';

/*
 * What every hookspec webhook request carries and how its response is read (Standard Webhooks 1.0 and
 * the delivery semantics in DESIGN.md). The client sends exactly these headers; keep the two in step.
 */

/** The three required header parameters, a fresh copy each call (documents are mutable). */
export const signatureHeaders = (): ParameterObject[] => [
  {
    name: 'webhook-id',
    in: 'header',
    required: true,
    description:
      'Unique id of the message. It is the same on every retry and replay of the message: delivery is ' +
      'at-least-once, so use it to drop duplicates.',
    schema: { type: 'string' },
    example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
  },
  {
    name: 'webhook-timestamp',
    in: 'header',
    required: true,
    description:
      'Unix time, in seconds, at which this attempt was signed. Reject a message whose timestamp is too far ' +
      'from your clock (5 minutes is usual) to stop replays.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
    example: '1674087231',
  },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description:
      'Space-separated signatures of `{webhook-id}.{webhook-timestamp}.{raw body}`: `v1,<base64 HMAC-SHA256>` ' +
      'keyed with the base64-decoded part of each active `whsec_` secret (several while a secret is rotated), ' +
      'or `v1a,<base64 ed25519>` for asymmetric keys. Accept the message when any one of them verifies, ' +
      'comparing in constant time, and ignore versions you do not know.',
    schema: { type: 'string' },
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  },
];

/** How the response is read, a fresh copy each call. */
export const deliveryResponses = (): ResponsesObject => ({
  '2XX': {
    description:
      'Accepted: the message is delivered and will not be sent again. The response body is not interpreted; ' +
      'at most 20 kB of it is kept in the attempt log.',
  },
  '410': {
    description: 'Gone: the endpoint is disabled and receives no more messages until it is enabled again.',
  },
  default: {
    description:
      'Any other status, a redirect (redirects are never followed), a network error or no complete answer ' +
      'within the deadline (15 s by default) fails the attempt. It is retried on the retry schedule, and a ' +
      '`Retry-After` header is honoured within bounds.',
    headers: {
      'Retry-After': {
        description: 'Seconds, or an HTTP date, to wait before the next attempt.',
        schema: { type: 'string' },
      },
    },
  },
});
