import { randomBytes } from 'node:crypto';
import { findHeadersProblem, findUrlProblem } from '../client/endpoint-checks';
import { WEBHOOK_NAME_PATTERN } from '../metadata/webhook-name-pattern';
import { EndpointStoreError, type EndpointStoreErrorCode } from '../errors';
import { checkKnownKeys, describe } from '../options';
import { generateSecret, parseSecret } from '../signing';
import {
  ENDPOINT_ID_PATTERN,
  MAX_DESCRIPTION_LENGTH,
  MAX_METADATA_KEYS,
  MAX_METADATA_LENGTH,
  MAX_OWNER_LENGTH,
  MAX_URL_LENGTH,
} from './endpoint-limits';
import type { EndpointInput, EndpointPatch, StoredEndpoint } from './writable-endpoint-store';

/*
 * The checks every store runs on what it is given, before it writes anything, so that all stores accept
 * and refuse the same endpoints with the same messages. Messages name the field and the fix; they never
 * show a secret, a header value or a metadata value.
 */

type Fields = Record<string, unknown>;

const INPUT_KEYS = Object.keys({
  url: true,
  owner: true,
  id: true,
  events: true,
  description: true,
  headers: true,
  metadata: true,
  enabled: true,
  secret: true,
} satisfies Record<keyof EndpointInput, true>);

const PATCH_KEYS = Object.keys({
  url: true,
  events: true,
  description: true,
  headers: true,
  metadata: true,
} satisfies Record<keyof EndpointPatch, true>);

/** Why a field of `EndpointInput` is not in a patch: it changes through its own call, or never. */
const NOT_PATCHED: Readonly<Record<string, string>> = {
  id: 'an endpoint keeps its id; create another endpoint for another id',
  owner: 'the owner is fixed at creation; create the endpoint again under the other owner',
  enabled: 'enabling and disabling is setEnabled(id, enabled, { now, reason })',
  secret: 'a new secret comes from rotateSecret(id, { now, graceMs })',
};

/** The 62 letters and digits a generated id is made of. */
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const GENERATED_ID_LENGTH = 24;

/** `ep_` and 24 letters and digits from the CSPRNG (about 143 bits): unguessable, so safe in URLs. */
export function newEndpointId(): string {
  let id = 'ep_';
  while (id.length < 3 + GENERATED_ID_LENGTH) {
    for (const byte of randomBytes(GENERATED_ID_LENGTH)) {
      // Bytes from 248 up are skipped, so that every character is equally likely (248 = 4 × 62).
      if (byte < 248 && id.length < 3 + GENERATED_ID_LENGTH) id += ID_ALPHABET[byte % 62];
    }
  }
  return id;
}

/** An endpoint as `create` will store it, with its secret, once every field is checked. */
export interface CheckedInput {
  readonly id: string | undefined;
  readonly fields: Omit<StoredEndpoint, 'id' | 'enabled' | 'createdAt' | 'updatedAt'>;
  readonly enabled: boolean;
  readonly secret: string;
}

/** Checks what `create` is given; the secret is the one given, or a new one from `generateSecret()`. */
export function checkEndpointInput(input: unknown, where: string): CheckedInput {
  const fields = checkObject(input, 'the endpoint', where, "{ url: 'https://example.com/hooks' }");
  checkKnownKeys(fields, INPUT_KEYS, scopeOf(where, 'invalid-endpoint'));
  if (fields.id !== undefined && !(typeof fields.id === 'string' && ENDPOINT_ID_PATTERN.test(fields.id))) {
    throw invalid(
      where,
      `id must be 1 to 128 letters, digits, '.', '_', ':' or '-', got ${describe(fields.id)}; ` +
        'omit it for a generated one.',
    );
  }
  if (fields.owner !== undefined && !isText(fields.owner, MAX_OWNER_LENGTH)) {
    throw invalid(
      where,
      `owner must be a non-empty string of at most ${MAX_OWNER_LENGTH} characters (the customer or account id), ` +
        `got ${describe(fields.owner)}; omit it for an endpoint without an owner.`,
    );
  }
  if (fields.owner !== undefined) refuseNul(fields.owner as string, 'owner', where, 'invalid-endpoint');
  if (fields.enabled !== undefined && typeof fields.enabled !== 'boolean') {
    throw invalid(where, `enabled must be true or false, got ${describe(fields.enabled)}.`);
  }
  return {
    id: fields.id as string | undefined,
    fields: {
      ...(fields.owner !== undefined && { owner: fields.owner as string }),
      url: checkUrl(fields.url, where),
      ...checkOptionalFields(fields, where),
    },
    enabled: fields.enabled !== false,
    secret: fields.secret === undefined ? generateSecret() : checkSecret(fields.secret, 'secret', where),
  };
}

/** Checks a patch and answers the endpoint it makes, updated at `now`; `null` clears a field. */
export function patchedEndpoint(endpoint: StoredEndpoint, patch: unknown, now: number, where: string): StoredEndpoint {
  const fields = checkObject(patch, 'the patch', where, "{ url: 'https://example.com/hooks' }");
  for (const key of Object.keys(fields)) {
    const why = NOT_PATCHED[key];
    if (why !== undefined) throw invalid(where, `the patch sets '${key}', which update() does not change: ${why}.`);
  }
  checkKnownKeys(fields, PATCH_KEYS, scopeOf(where, 'invalid-endpoint'));
  const next: Record<string, unknown> = { ...endpoint, updatedAt: now };
  if (fields.url !== undefined) next.url = checkUrl(fields.url, where);
  const given = Object.fromEntries(Object.entries(fields).filter(([key, value]) => key !== 'url' && value !== null));
  Object.assign(next, checkOptionalFields(given, where));
  for (const [key, value] of Object.entries(fields)) if (value === null) delete next[key];
  return next as unknown as StoredEndpoint;
}

/** A `whsec_` secret given to `create` or `rotateSecret`; the message says which rule failed, never the secret. */
export function checkSecret(secret: unknown, name: string, where: string): string {
  try {
    parseSecret(secret as string);
  } catch (error) {
    throw new EndpointStoreError(
      'invalid-endpoint',
      `${where}: ${name} is not a usable webhook secret (${(error as Error).message}). ` +
        'Omit it for one from generateSecret().',
      { cause: error },
    );
  }
  return secret as string;
}

/** A reason an endpoint was disabled for, as `setEnabled` and `disable` take it. */
export function checkReason(reason: unknown, where: string): string | undefined {
  if (reason === undefined) return undefined;
  if (!isText(reason, MAX_DESCRIPTION_LENGTH)) {
    throw new EndpointStoreError(
      'invalid-option',
      `${where}: reason must be a non-empty string of at most ${MAX_DESCRIPTION_LENGTH} characters, ` +
        `got ${describe(reason)}.`,
    );
  }
  refuseNul(reason, 'reason', where, 'invalid-option');
  return reason;
}

/** The fields that `create` and `update` check alike; only those present in `fields` are answered. */
function checkOptionalFields(fields: Fields, where: string): Partial<StoredEndpoint> {
  const checked: Record<string, unknown> = {};
  if (fields.events !== undefined) checked.events = checkEvents(fields.events, where);
  if (fields.description !== undefined) {
    if (typeof fields.description !== 'string' || fields.description.length > MAX_DESCRIPTION_LENGTH) {
      throw invalid(
        where,
        `description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters, got ${describe(fields.description)}.`,
      );
    }
    refuseNul(fields.description, 'description', where, 'invalid-endpoint');
    checked.description = fields.description;
  }
  if (fields.headers !== undefined) {
    const problem = findHeadersProblem(fields.headers);
    if (problem !== undefined) throw new EndpointStoreError(problem.code, `${where}: ${problem.message}`);
    checked.headers = Object.freeze({ ...(fields.headers as Record<string, string>) });
  }
  if (fields.metadata !== undefined) checked.metadata = checkMetadata(fields.metadata, where);
  return checked;
}

function checkUrl(url: unknown, where: string): string {
  if (typeof url !== 'string') {
    throw invalid(where, `url must be the endpoint's http: or https: URL, got ${describe(url)}.`);
  }
  if (url.length > MAX_URL_LENGTH) {
    throw invalid(where, `url has ${url.length} characters; the most is ${MAX_URL_LENGTH}.`);
  }
  refuseNul(url, 'url', where, 'invalid-endpoint');
  const problem = findUrlProblem(url);
  if (problem !== undefined) throw invalid(where, problem);
  return url;
}

function checkEvents(events: unknown, where: string): readonly string[] {
  if (!Array.isArray(events) || events.length === 0) {
    throw invalid(
      where,
      `events must be a non-empty array of webhook names, got ${describe(events)}; ` +
        'omit it (or set it to null in a patch) to receive every webhook, or disable the endpoint to receive none.',
    );
  }
  const seen = new Set<string>();
  for (const [index, event] of events.entries()) {
    if (typeof event !== 'string' || !WEBHOOK_NAME_PATTERN.test(event)) {
      throw invalid(
        where,
        `events[${index}] must be a webhook name (letters, digits, '.', '_' or '-'), got ${describe(event)}.`,
      );
    }
    if (seen.has(event)) throw invalid(where, `events lists '${event}' twice; list each webhook once.`);
    seen.add(event);
  }
  return Object.freeze([...events] as string[]);
}

function checkMetadata(metadata: unknown, where: string): Readonly<Record<string, string>> {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw invalid(where, `metadata must be an object of string keys and values, got ${describe(metadata)}.`);
  }
  const entries = Object.entries(metadata);
  if (entries.length > MAX_METADATA_KEYS) {
    throw invalid(where, `metadata has ${entries.length} keys; the most is ${MAX_METADATA_KEYS}.`);
  }
  for (const [key, value] of entries) {
    const shown = key.length > 40 ? `a key of ${key.length} characters` : `'${key}'`;
    if (key.length > MAX_METADATA_LENGTH) {
      throw invalid(where, `metadata has ${shown}; keys have at most ${MAX_METADATA_LENGTH} characters.`);
    }
    if (typeof value !== 'string' || value.length > MAX_METADATA_LENGTH) {
      // The value is not shown: the app's metadata may hold what its users typed.
      throw invalid(
        where,
        `metadata[${shown}] must be a string of at most ${MAX_METADATA_LENGTH} characters, got ` +
          `${typeof value === 'string' ? `${value.length} characters` : describe(value)}.`,
      );
    }
  }
  return Object.freeze({ ...(metadata as Record<string, string>) });
}

function checkObject(value: unknown, what: string, where: string, example: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(where, `${what} must be an object, e.g. ${example}; got ${describe(value)}.`);
  }
  return value as Fields;
}

/**
 * Refuses U+0000 in a field kept as text: PostgreSQL's text cannot hold it, so every store refuses it, and
 * an endpoint that one store accepts, every store accepts. (Metadata is kept as JSON, which escapes it.)
 */
function refuseNul(value: string, name: string, where: string, code: EndpointStoreErrorCode): void {
  if (value.includes('\0')) {
    throw new EndpointStoreError(
      code,
      `${where}: ${name} holds a NUL character (U+0000), which no endpoint store keeps; remove it.`,
    );
  }
}

function isText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max;
}

function invalid(where: string, message: string): EndpointStoreError {
  return new EndpointStoreError('invalid-endpoint', `${where}: ${message}`);
}

/** checkKnownKeys' scope, refusing an unknown field with `code` (an endpoint's field is not an option). */
export function scopeOf(where: string, code: EndpointStoreErrorCode) {
  return { where, fail: (_: string, message: string) => new EndpointStoreError(code, message) };
}
