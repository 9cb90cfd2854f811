/*
 * The sending direction in one pass over a payload: only the properties its class declares (at every
 * depth, by each nested class's shape), class-transformer's rules (renames, `@Exclude`, `@Transform`,
 * dates as ISO strings), and every value checked for what JSON cannot carry. The result holds only plain
 * objects, arrays and JSON primitives, so `JSON.stringify` of it cannot throw or lose anything.
 */
import { TransformationType } from 'class-transformer';
import type { ValidationIssue } from '../errors';
import type { UnknownProperties } from '../metadata';
import { MAX_JSON_DEPTH } from './json-depth';
import type { ClassShape, PropertyShape } from './payload-shape';
import { shapeOf } from './payload-shape';

/** The walk's state: where it is, what it found wrong. */
interface Walk {
  readonly reject: boolean;
  readonly maxDepth: number;
  readonly issues: ValidationIssue[];
  /** Keys (a number: an array index) from the payload to the value being read, formatted only for an issue. */
  readonly path: (string | number)[];
  /** Objects from the payload down to the value being read: one of them again is a cycle. */
  readonly ancestors: Set<object>;
}

/** The options `transformFn` receives, as instanceToPlain without options passes them. */
const TRANSFORM_OPTIONS: Record<string, unknown> = Object.freeze({});

/**
 * The payload as it goes on the wire, or the issues (each with its path) that keep it from being sent.
 * `depth` is the payload's own level in the body: 2 inside the Standard Webhooks envelope.
 */
export function shapePayload(
  payload: object,
  cls: Function,
  options: { unknownProperties: UnknownProperties; depth: number },
): { plain: Record<string, unknown>; issues: ValidationIssue[] } {
  const walk: Walk = {
    reject: options.unknownProperties === 'reject',
    maxDepth: MAX_JSON_DEPTH - options.depth + 1,
    issues: [],
    path: [],
    ancestors: new Set(),
  };
  const plain = shapeObject(payload, shapeOf(cls), walk, 1);
  return { plain, issues: walk.issues };
}

function shapeObject(value: object, shape: ClassShape, walk: Walk, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  walk.ancestors.add(value);
  if (walk.reject && shape.known !== undefined) {
    for (const key of Object.keys(value)) {
      if (!shape.known.has(key)) {
        walk.path.push(key);
        issue(walk, 'unknownProperty', `is not a property of ${shape.name}; remove it or declare it on the class`);
        walk.path.pop();
      }
    }
  }
  for (const property of shape.properties) {
    walk.path.push(property.propertyName);
    let item = read(value, property.propertyName, walk);
    if (item !== UNREADABLE && property.toPlainTransforms.length > 0) item = transform(item, property, value, walk);
    if (item !== UNREADABLE) {
      const wire =
        property.nested !== undefined
          ? shapeNested(item, property.nested, walk, depth + 1)
          : toJson(item, walk, depth + 1);
      if (wire !== undefined) assign(out, property.wireName, wire);
    }
    walk.path.pop();
  }
  walk.ancestors.delete(value);
  return out;
}

/** A value declared as a class (or an array of it): every object in it is shaped by that class. */
function shapeNested(value: unknown, cls: Function, walk: Walk, depth: number): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Date) return toJson(value, walk, depth);
  if (!enter(value, walk, depth)) return undefined;
  if (Array.isArray(value) || value instanceof Set) {
    const items = Array.isArray(value) ? value : [...value];
    walk.ancestors.add(value);
    const out = new Array<unknown>(items.length);
    for (let index = 0; index < items.length; index++) {
      walk.path.push(index);
      out[index] = shapeNested(items[index], cls, walk, depth + 1) ?? null;
      walk.path.pop();
    }
    walk.ancestors.delete(value);
    return out;
  }
  return shapeObject(value, shapeOf(cls), walk, depth);
}

/**
 * A free-form value as `JSON.stringify` would write it (`toJSON` called, `undefined` and functions left
 * out), with Set and Map as class-transformer writes them (an array, an object), copied into fresh plain
 * objects; a key such as `__proto__` or `constructor` stays an ordinary key.
 */
function toJson(value: unknown, walk: Walk, depth: number, callToJson = true): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      issue(walk, 'finiteNumber', `is ${value}, which JSON cannot carry (it would be sent as null)`);
      return undefined;
    case 'bigint':
      issue(walk, 'notBigInt', 'is a BigInt, which JSON cannot carry; send it as a string or a number');
      return undefined;
    case 'object':
      break;
    default:
      return undefined; // undefined, a function or a symbol: JSON.stringify leaves them out
  }
  if (value === null) return null;
  if (value instanceof Date) {
    if (!Number.isNaN(value.getTime())) return value.toISOString();
    issue(walk, 'validDate', 'is an invalid Date (it would be sent as null)');
    return undefined;
  }
  if (!enter(value, walk, depth)) return undefined;
  // JSON.stringify calls toJSON once, and writes what it returns as it is.
  const toJSON = callToJson ? (value as { toJSON?: unknown }).toJSON : undefined;
  if (typeof toJSON === 'function') {
    const replaced = call(() => toJSON.call(value, String(walk.path.at(-1) ?? '')) as unknown, 'toJSON', walk);
    return replaced === UNREADABLE ? undefined : toJson(replaced, walk, depth, false);
  }
  walk.ancestors.add(value);
  let out: unknown;
  if (Array.isArray(value) || value instanceof Set) {
    const items = Array.isArray(value) ? value : [...value];
    const array = new Array<unknown>(items.length);
    for (let index = 0; index < items.length; index++) {
      walk.path.push(index);
      array[index] = toJson(items[index], walk, depth + 1) ?? null;
      walk.path.pop();
    }
    out = array;
  } else {
    const entries: Iterable<[unknown, unknown]> | undefined = value instanceof Map ? value.entries() : undefined;
    const object: Record<string, unknown> = {};
    if (entries !== undefined) {
      for (const [key, item] of entries) copyInto(object, String(key), item, walk, depth);
    } else {
      for (const key of Object.keys(value)) {
        walk.path.push(key);
        const item = read(value, key, walk);
        walk.path.pop();
        if (item !== UNREADABLE) copyInto(object, key, item, walk, depth);
      }
    }
    out = object;
  }
  walk.ancestors.delete(value);
  return out;
}

function copyInto(object: Record<string, unknown>, key: string, item: unknown, walk: Walk, depth: number): void {
  walk.path.push(key);
  const json = toJson(item, walk, depth + 1);
  walk.path.pop();
  if (json !== undefined) assign(object, key, json);
}

/** Checks an object or array before walking into it: not one of its own ancestors, not too deep. */
function enter(value: object, walk: Walk, depth: number): boolean {
  if (walk.ancestors.has(value)) {
    issue(
      walk,
      'notCircular',
      'refers back to an object that contains it (a circular reference), which JSON cannot carry',
    );
    return false;
  }
  if (depth > walk.maxDepth) {
    issue(walk, 'maxDepth', `nests deeper than ${MAX_JSON_DEPTH} levels, which receivers refuse`);
    return false;
  }
  return true;
}

const UNREADABLE = Symbol('unreadable');

/** A property's value; a getter that throws becomes an issue instead of escaping as a plain error. */
function read(object: object, key: string, walk: Walk): unknown {
  return call(() => (object as Record<string, unknown>)[key], 'reading it', walk);
}

/** The `@Transform` functions of a property, in order, as instanceToPlain applies them. */
function transform(value: unknown, property: PropertyShape, obj: object, walk: Walk): unknown {
  let item = value;
  for (const transformFn of property.toPlainTransforms) {
    const input = item;
    item = call(
      () =>
        transformFn({
          value: input,
          key: property.propertyName,
          obj,
          type: TransformationType.CLASS_TO_PLAIN,
          options: TRANSFORM_OPTIONS,
        }),
      'its @Transform',
      walk,
    );
    if (item === UNREADABLE) break;
  }
  return item;
}

/** Runs user code (a getter, a @Transform, a toJSON); what it throws becomes an issue at the current path. */
function call(run: () => unknown, what: string, walk: Walk): unknown {
  try {
    return run();
  } catch (error) {
    issue(
      walk,
      'serializable',
      `could not be serialised: ${what} threw ${error instanceof Error ? error.message : String(error)}`,
    );
    return UNREADABLE;
  }
}

/** Sets an own data property, even for the key `__proto__` (an assignment would set the prototype). */
function assign(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

function issue(walk: Walk, rule: string, message: string): void {
  const path = pathText(walk.path);
  walk.issues.push({ path, constraints: { [rule]: `${path || 'the payload'} ${message}` } });
}

/** `customer.lines[2].sku`, `metadata["x y"]`, shortened past 8 keys, as findTooDeep writes paths. */
function pathText(keys: readonly (string | number)[]): string {
  // -1, never an index, marks the keys left out.
  const shown = keys.length > 8 ? [...keys.slice(0, 5), -1, ...keys.slice(-2)] : keys;
  const text = shown
    .map((key) =>
      key === -1
        ? '…'
        : typeof key === 'number'
          ? `[${key}]`
          : /^[A-Za-z_$][\w$]*$/.test(key)
            ? `.${key}`
            : `[${JSON.stringify(key)}]`,
    )
    .join('');
  return text.startsWith('.') ? text.slice(1) : text;
}
