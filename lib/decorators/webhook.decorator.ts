import { WebhookDefinitionError } from '../errors';
import { oneOf } from '../options';
import { addWebhookMetadata, assertReflectMetadata, getOwnWebhookMetadata } from '../metadata';
import type { WebhookOptions } from '../metadata';
import { checkDecoratorOptions, memberName } from './check-options';
import { checkWebhookName } from './webhook-name';

/** Every option, as a record so that an option added to the interface but not here fails to compile. */
const WEBHOOK_OPTION_KEYS = Object.keys({
  summary: true,
  description: true,
  tags: true,
  operationId: true,
  deprecated: true,
  externalDocs: true,
  examples: true,
  retry: true,
  unknownProperties: true,
} satisfies Record<keyof WebhookOptions, true>) as readonly (keyof WebhookOptions)[];

/**
 * Declares a webhook.
 *
 * On a class, the class is the payload: its instances are what `WebhookClient.send` delivers.
 * On a method of a catalog class (FastAPI style), the payload comes from `@Payload` on the method or
 * on one of its parameters; the method body is never called.
 *
 * @param name the webhook's name, matching `^[a-zA-Z0-9._-]+$`; unique within a document.
 * @param options what the OpenAPI operation says: summary, description, tags, operationId, …
 */
export function Webhook(name: string, options?: WebhookOptions): ClassDecorator & MethodDecorator {
  return (target: object, propertyKey?: string | symbol): void => {
    const where = `@Webhook(${JSON.stringify(name)}) on ${memberName(target, propertyKey)}`;
    assertReflectMetadata(where);
    checkWebhookName(name, where);
    checkDecoratorOptions(options, WEBHOOK_OPTION_KEYS, where, "{ summary: 'New subscription' }");
    oneOf(
      (options as WebhookOptions | undefined)?.unknownProperties,
      'strip',
      ['strip', 'reject'],
      'unknownProperties',
      {
        where,
        fail: (code, message) => new WebhookDefinitionError(code, message),
      },
    );
    if (typeof propertyKey === 'symbol') {
      throw new WebhookDefinitionError(
        'invalid-target',
        `${where}: a webhook method needs a string name, not a symbol.`,
      );
    }
    if (propertyKey !== undefined && typeof target === 'function') {
      throw new WebhookDefinitionError(
        'invalid-target',
        `${where}: @Webhook cannot decorate a static method. Make the method an instance method of the catalog class.`,
      );
    }
    const cls = (propertyKey === undefined ? target : target.constructor) as Function;
    const clash = getOwnWebhookMetadata(cls).find((record) => record.name === name);
    if (clash) {
      throw new WebhookDefinitionError(
        'duplicate-webhook-name',
        `${where}: ${cls.name} already declares a webhook named '${name}'` +
          `${clash.methodName ? ` on ${cls.name}.${clash.methodName}` : ''}. Give each webhook its own name.`,
      );
    }
    addWebhookMetadata(cls, {
      name,
      options: { ...(options as WebhookOptions | undefined) },
      target: cls,
      ...(propertyKey === undefined ? {} : { methodName: propertyKey }),
    });
  };
}
