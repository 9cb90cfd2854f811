import { WebhookDefinitionError } from '../errors';
import { addPayloadMetadata, assertReflectMetadata, getParameterType } from '../metadata';
import { memberName } from './check-options';

/**
 * Names the payload class of a method-style webhook.
 *
 * - On the method: `@Payload(PaymentSuccess)`, or `@Payload(() => PaymentSuccess)` when the class is
 *   declared later in the file or imported circularly.
 * - On a parameter: `paymentSuccess(@Payload() event: PaymentSuccess) {}` reads the parameter's type
 *   from `design:paramtypes` (needs `emitDecoratorMetadata`); `@Payload(PaymentSuccess)` works there too.
 */
export function Payload(type?: Function | (() => Function)): MethodDecorator & ParameterDecorator {
  return (target: object, propertyKey: string | symbol | undefined, descriptorOrIndex?: unknown): void => {
    const where = `@Payload(${type === undefined ? '' : typeName(type)}) on ${memberName(target, propertyKey)}`;
    assertReflectMetadata(where);
    if (propertyKey === undefined || typeof propertyKey === 'symbol' || typeof target === 'function') {
      throw new WebhookDefinitionError(
        'invalid-target',
        `${where}: @Payload goes on an instance method of a catalog class, or on one of its parameters.`,
      );
    }
    if (type !== undefined && typeof type !== 'function') {
      throw new WebhookDefinitionError(
        'invalid-payload',
        `${where}: expected a class or a thunk returning one (() => PayloadClass), got ${JSON.stringify(type)}.`,
      );
    }
    const cls = target.constructor;
    if (typeof descriptorOrIndex === 'number') {
      const index = descriptorOrIndex;
      addPayloadMetadata(cls, {
        methodName: propertyKey,
        type: type ?? (() => getParameterType(cls, propertyKey, index)),
        declaredAs: `@Payload(${type === undefined ? '' : typeName(type)}) on parameter ${index}`,
      });
      return;
    }
    if (type === undefined) {
      throw new WebhookDefinitionError(
        'missing-payload',
        `${where}: on a method, @Payload needs the class: @Payload(PayloadClass). ` +
          `To take the type from a parameter instead, put @Payload() on the parameter.`,
      );
    }
    addPayloadMetadata(cls, { methodName: propertyKey, type, declaredAs: `@Payload(${typeName(type)})` });
  };
}

function typeName(type: unknown): string {
  if (typeof type !== 'function') return JSON.stringify(type);
  return type.prototype === undefined ? '() => …' : type.name;
}
