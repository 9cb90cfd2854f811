import { WebhookDefinitionError } from '../errors';
import type { WebhookDefinition } from './definitions/webhook-definition';
import type { WebhookMetadata } from './definitions/webhook.metadata';
import { getOwnWebhookMetadata, getPayloadMetadata } from './metadata-store';
import { resolveTypeReference } from './type-reference';

/** Whether a value is a class that carries `@Webhook` metadata (on itself or on its methods). */
export function isWebhookClass(value: unknown): value is Function {
  return typeof value === 'function' && getOwnWebhookMetadata(value).length > 0;
}

/**
 * The webhooks a class declares, payloads resolved. Throws a `WebhookDefinitionError` that names the
 * class, the member and the fix when a class has no `@Webhook` or a method has no usable payload.
 */
export function resolveWebhookDefinitions(target: Function): WebhookDefinition[] {
  const records = getOwnWebhookMetadata(target);
  if (records.length === 0) {
    throw new WebhookDefinitionError(
      'not-a-webhook',
      `${describeValue(target)} carries no @Webhook metadata. Decorate the payload class with @Webhook('name'), ` +
        `or a method of a catalog class with @Webhook('name') and @Payload(Type).`,
    );
  }
  const orphan = getPayloadMetadata(target).find(
    (payload) => !records.some((record) => record.methodName === payload.methodName),
  );
  if (orphan) {
    throw new WebhookDefinitionError(
      'payload-without-webhook',
      `${target.name}.${orphan.methodName} has ${orphan.declaredAs} but no @Webhook, so it declares nothing. ` +
        `Add @Webhook('name') to the method, or remove @Payload.`,
    );
  }
  return records.map((record) => resolveOne(record));
}

/**
 * The `webhooks` option of `buildOpenApi` and of the client, checked alike: a non-empty list of classes.
 * `call` shows the call with a good list (`new WebhookClient({ webhooks: [Subscription] })`); `fail` throws
 * the caller's own error class.
 */
export function checkWebhookClassList(
  list: unknown,
  call: string,
  fail: (code: 'no-webhooks' | 'invalid-webhooks', message: string) => Error,
): Function[] {
  if (!Array.isArray(list) || list.length === 0) {
    throw fail('no-webhooks', `${call} needs the webhook classes: webhooks: [Subscription, BillingWebhooks].`);
  }
  list.forEach((entry, index) => {
    if (typeof entry !== 'function') {
      throw fail(
        'invalid-webhooks',
        `webhooks[${index}] is ${entry === undefined ? 'undefined (a circular import?)' : typeof entry}, not a ` +
          'class. Pass the decorated classes themselves.',
      );
    }
  });
  return list as Function[];
}

/**
 * The webhooks of a list of classes (a class listed twice counts once), each name used once. The one
 * check that the document builder and the client share: a name is a key of the document's webhooks
 * section and of the client's catalog.
 */
export function resolveWebhookList(classes: readonly Function[]): WebhookDefinition[] {
  const byName = new Map<string, WebhookDefinition>();
  for (const definition of [...new Set(classes)].flatMap((cls) => resolveWebhookDefinitions(cls))) {
    const other = byName.get(definition.name);
    if (other) {
      throw new WebhookDefinitionError(
        'duplicate-webhook-name',
        `two webhooks are named '${definition.name}': ${other.declaredAt} and ${definition.declaredAt}. ` +
          'A name identifies a webhook in the document and in the client; rename one of them.',
      );
    }
    byName.set(definition.name, definition);
  }
  return [...byName.values()];
}

function resolveOne(record: WebhookMetadata): WebhookDefinition {
  const base = { name: record.name, options: record.options, target: record.target };
  if (record.methodName === undefined) {
    return { ...base, payload: record.target, declaredAt: record.target.name };
  }
  const declaredAt = `${record.target.name}.${record.methodName}`;
  const payloads = getPayloadMetadata(record.target, record.methodName);
  if (payloads.length === 0) {
    throw new WebhookDefinitionError(
      'missing-payload',
      `${declaredAt} is declared @Webhook('${record.name}') but has no payload. ` +
        `Add @Payload(PayloadClass) to the method, or @Payload() to a parameter typed with the payload class.`,
    );
  }
  if (payloads.length > 1) {
    throw new WebhookDefinitionError(
      'multiple-payloads',
      `${declaredAt} declares ${payloads.length} payloads (${payloads.map((p) => p.declaredAs).join(', ')}); ` +
        `a webhook sends exactly one body. Keep one @Payload.`,
    );
  }
  const [declared] = payloads as [(typeof payloads)[0]];
  const payload = resolveTypeReference(declared.type);
  if (typeof payload !== 'function' || payload === Object || isPrimitiveConstructor(payload)) {
    throw new WebhookDefinitionError(
      'invalid-payload',
      `${declaredAt}: ${declared.declaredAs} resolved to ${describeValue(payload)}, not a payload class. ` +
        (declared.declaredAs.startsWith('@Payload()')
          ? `Type the parameter with a class (not an interface or a type alias) and compile with emitDecoratorMetadata, or pass the class: @Payload(PayloadClass).`
          : `Pass a class, or a thunk that returns one for forward references: @Payload(() => PayloadClass).`),
    );
  }
  return { ...base, methodName: record.methodName, payload, declaredAt };
}

function isPrimitiveConstructor(value: Function): boolean {
  return value === String || value === Number || value === Boolean || value === Date || value === Array;
}

export function describeValue(value: unknown): string {
  if (typeof value === 'function') return value.name ? `class ${value.name}` : 'an anonymous function';
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}
