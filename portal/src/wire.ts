/*
 * The management API's answers as the page reads them: the shapes of lib/management/http/wire-format.ts
 * (its DTO classes), written out here because the page is a browser bundle that must not load the
 * library's decorated classes.
 */

export type Capability = 'view' | 'manage-endpoints' | 'view-secret' | 'resend';

export type DeliveryState = 'pending' | 'failing' | 'delivered' | 'exhausted' | 'disabled' | 'cancelled';

export const DELIVERY_STATES: readonly DeliveryState[] = [
  'pending',
  'failing',
  'delivered',
  'exhausted',
  'disabled',
  'cancelled',
];

/** `GET {mount}/portal/session`: who the token acts for and what it allows. */
export interface Session {
  readonly owner: string | null;
  readonly capabilities: readonly Capability[];
  readonly expiresAt: string;
}

export interface Endpoint {
  readonly id: string;
  readonly owner?: string;
  readonly url: string;
  /** Absent: every event type. */
  readonly events?: readonly string[];
  readonly description?: string;
  readonly enabled: boolean;
  readonly disabledReason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Page<T> {
  readonly data: readonly T[];
  readonly nextCursor?: string;
}

/** Create and rotate answer the secret only when the token may view it. */
export interface EndpointWithSecret {
  readonly endpoint: Endpoint;
  readonly secret?: string;
}

export interface EndpointStats {
  readonly endpointId: string;
  readonly since: string;
  readonly until: string;
  readonly pending: number;
  readonly failing: number;
  readonly delivered: number;
  readonly exhausted: number;
  readonly disabled: number;
  readonly lastSuccessAt?: string;
  readonly lastFailureAt?: string;
}

export interface EventType {
  readonly name: string;
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly deprecated?: boolean;
  readonly schema: JsonSchema;
  readonly example?: Record<string, unknown>;
}

export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly format?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly deprecated?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface Attempt {
  readonly attempt: number;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly status?: number;
  readonly errorCode?: string;
  readonly error?: string;
  readonly response?: string;
  readonly responseTruncated?: boolean;
}

export interface Delivery {
  readonly endpointId: string;
  readonly url: string;
  readonly state: DeliveryState;
  readonly nextAttemptAt?: string;
  readonly attempts: readonly Attempt[];
}

export interface Message {
  readonly id: string;
  readonly event: string;
  readonly owner?: string;
  readonly createdAt: string;
  readonly payload: Record<string, unknown> | null;
  readonly erasedAt?: string;
  readonly deliveries: readonly Delivery[];
}

export interface SendResult {
  readonly id: string;
  readonly event: string;
  readonly deliveries: readonly { readonly endpointId: string; readonly url: string }[];
  readonly skipped: readonly { readonly endpointId: string; readonly url: string; readonly reason: string }[];
}

export interface ResendResult {
  readonly restarted: number;
  readonly skipped: readonly { readonly endpointId: string; readonly reason: string }[];
}

export interface RecoverResult {
  readonly recovered: number;
}

/** RFC 9457 problem details, as the API answers every error. */
export interface Problem {
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}
