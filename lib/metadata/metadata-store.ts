import type {} from 'reflect-metadata';
import { ReflectMetadataMissingError } from '../errors';
import type { PayloadMetadata } from './definitions/payload.metadata';
import type { WebhookMetadata } from './definitions/webhook.metadata';
import type { WebhookPropertyOptions } from './definitions/webhook-property-options';
import { PAYLOADS_KEY, PROPERTIES_KEY, WEBHOOKS_KEY } from './keys';

/*
 * Records live on the decorated classes themselves (Reflect metadata), not in a global registry: a
 * class that is reloaded or garbage-collected takes its records with it, and two copies of hookspec
 * in one process read the same records.
 */

export function assertReflectMetadata(where: string): void {
  if (typeof Reflect !== 'object' || typeof Reflect.getMetadata !== 'function') {
    throw new ReflectMetadataMissingError(where);
  }
}

export function addWebhookMetadata(target: Function, record: WebhookMetadata): void {
  const existing: WebhookMetadata[] = Reflect.getOwnMetadata(WEBHOOKS_KEY, target) ?? [];
  Reflect.defineMetadata(WEBHOOKS_KEY, [...existing, record], target);
}

/** The `@Webhook` records declared on this class itself (not inherited), in declaration order. */
export function getOwnWebhookMetadata(target: Function): readonly WebhookMetadata[] {
  if (typeof Reflect !== 'object' || typeof Reflect.getOwnMetadata !== 'function') return [];
  return Reflect.getOwnMetadata(WEBHOOKS_KEY, target) ?? [];
}

export function addPayloadMetadata(target: Function, record: PayloadMetadata): void {
  const existing: PayloadMetadata[] = Reflect.getOwnMetadata(PAYLOADS_KEY, target) ?? [];
  Reflect.defineMetadata(PAYLOADS_KEY, [...existing, record], target);
}

/** The `@Payload` records of a class's methods (all of them, or one method's). */
export function getPayloadMetadata(target: Function, methodName?: string): readonly PayloadMetadata[] {
  const all: PayloadMetadata[] = Reflect.getOwnMetadata(PAYLOADS_KEY, target) ?? [];
  return methodName === undefined ? all : all.filter((record) => record.methodName === methodName);
}

export function addPropertyOptions(target: Function, propertyName: string, options: WebhookPropertyOptions): void {
  const existing: Record<string, WebhookPropertyOptions> = Reflect.getOwnMetadata(PROPERTIES_KEY, target) ?? {};
  Reflect.defineMetadata(
    PROPERTIES_KEY,
    { ...existing, [propertyName]: { ...existing[propertyName], ...options } },
    target,
  );
}

/**
 * `@WebhookProperty` options of a class, inherited ones included; a subclass's options for a property
 * are laid over its parent's. Properties come base class first, in declaration order.
 */
export function getPropertyOptions(target: Function): ReadonlyMap<string, WebhookPropertyOptions> {
  const merged = new Map<string, WebhookPropertyOptions>();
  for (const cls of prototypeChain(target)) {
    const own: Record<string, WebhookPropertyOptions> = Reflect.getOwnMetadata(PROPERTIES_KEY, cls) ?? {};
    for (const [name, options] of Object.entries(own)) merged.set(name, { ...merged.get(name), ...options });
  }
  return merged;
}

/** The class and its ancestors, base class first. */
export function prototypeChain(target: Function): Function[] {
  const chain: Function[] = [];
  for (let cls: unknown = target; typeof cls === 'function' && cls !== Function.prototype;) {
    chain.unshift(cls as Function);
    cls = Object.getPrototypeOf(cls);
  }
  return chain;
}

/**
 * The type TypeScript recorded for a property (`design:type`), or undefined without emitDecoratorMetadata.
 * Transpilers without type information (oxc, SWC) may record an enum object instead of a constructor;
 * that says nothing reliable, so it counts as unknown.
 */
export function getDesignType(target: Function, propertyName: string): Function | undefined {
  const type: unknown = Reflect.getMetadata('design:type', target.prototype, propertyName);
  return typeof type === 'function' ? type : undefined;
}

/** The type TypeScript recorded for a method parameter (`design:paramtypes`). */
export function getParameterType(target: Function, methodName: string, index: number): Function | undefined {
  const types: Function[] | undefined = Reflect.getMetadata('design:paramtypes', target.prototype, methodName);
  return types?.[index];
}

/** Whether TypeScript recorded any `design:*` metadata for this member (false under tsx/esbuild). */
export function hasDesignMetadata(target: Function, member: string): boolean {
  return Reflect.getMetadataKeys(target.prototype, member).some(
    (key: unknown) => typeof key === 'string' && key.startsWith('design:'),
  );
}
