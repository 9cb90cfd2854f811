/*
 * The receiving direction: a verified body's data becomes an instance of the payload class. class-
 * transformer builds the declared, class-shaped part (its renames, `@Type`, `@Transform` apply); free-form
 * values (records, `unknown`, arrays of plain objects) never pass through it, because plainToInstance
 * throws on a key named `constructor` and silently drops `__proto__`, `toString` and `hasOwnProperty`.
 * They are copied in afterwards, every key an own data property, so they round-trip intact and no
 * prototype is ever touched. Keys the class does not declare are left out, as the sender leaves them out.
 */
import { plainToInstance } from 'class-transformer';
import type { ClassConstructor } from 'class-transformer';
import { WebhookVerificationError } from '../errors';
import type { ClassShape } from './payload-shape';
import { shapeOf } from './payload-shape';

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** An instance of `type` from a JSON object's data (already checked to be an object). */
export function instanceFromPlain<T extends object>(type: ClassConstructor<T>, data: object): T {
  const shape = shapeOf(type);
  let instance: T;
  try {
    instance = plainToInstance(type, declaredPart(data, shape));
  } catch (error) {
    // Left to class-transformer only for a @Transform of the receiving direction: a key it cannot copy.
    throw new WebhookVerificationError(
      'invalid-body',
      `The body could not become a ${type.name}: class-transformer failed (${error instanceof Error ? error.message : String(error)}).`,
      { cause: error },
    );
  }
  restoreFreeForm(instance, data, shape);
  return instance;
}

/** What class-transformer may see: the declared keys, with nested classes pruned alike and free-form values left out. */
function declaredPart(data: object, shape: ClassShape): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const property of shape.properties) {
    if (!hasOwn(data, property.wireName)) continue;
    const value = (data as Record<string, unknown>)[property.wireName];
    if (property.nested !== undefined) {
      out[property.wireName] = mapObjects(value, (item) => declaredPart(item, shapeOf(property.nested as Function)));
    } else if (property.transformsToClass || typeof value !== 'object' || value === null) {
      // A @Transform of the receiving direction needs the value itself; a primitive is safe to hand over.
      out[property.wireName] = value;
    }
  }
  return out;
}

/** Puts each free-form value (a fresh copy) on the instance built from `data`, at every depth. */
function restoreFreeForm(instance: unknown, data: object, shape: ClassShape): void {
  if (typeof instance !== 'object' || instance === null) return;
  const target = instance as Record<string, unknown>;
  for (const property of shape.properties) {
    if (!hasOwn(data, property.wireName)) continue;
    const value = (data as Record<string, unknown>)[property.wireName];
    if (property.nested !== undefined) {
      const nestedShape = shapeOf(property.nested);
      const built = target[property.propertyName];
      if (Array.isArray(value)) {
        const items = built instanceof Set ? [...(built as Set<unknown>)] : built;
        if (!Array.isArray(items)) continue;
        value.forEach((item: unknown, index) => {
          if (typeof item === 'object' && item !== null) restoreFreeForm(items[index], item, nestedShape);
        });
      } else if (typeof value === 'object' && value !== null) {
        restoreFreeForm(built, value, nestedShape);
      }
    } else if (!property.transformsToClass && typeof value === 'object' && value !== null) {
      target[property.propertyName] = copyJson(value);
    }
  }
}

function mapObjects(value: unknown, map: (object: object) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => mapObjects(item, map));
  return typeof value === 'object' && value !== null ? map(value) : value;
}

/** A deep copy of JSON data in fresh plain objects and arrays; every key, `__proto__` included, an own data property. */
export function copyJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = copyJson((value as Record<string, unknown>)[key]);
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = item;
    }
  }
  return out;
}
