/*
 * What a payload class puts on the wire, read once per class from lib/facts — the same facts that the
 * schema generator documents, so the properties sent and the properties documented are one list. The
 * run-time side never loads lib/schema: the few rules that tell a nested class from a free-form value are
 * restated here and must stay in step with lib/schema/property-schema.ts (`declaredType`, `valueSchema`).
 */
import type { ToPlainTransform } from '../facts';
import { WebhookDefinitionError } from '../errors';
import { readClassExclusions, readClassProperties } from '../facts';
import { resolveTypeReference } from '../metadata';

/** One declared property of a payload class. */
export interface PropertyShape {
  readonly propertyName: string;
  /** The key in the body (`@Expose({ name })`). */
  readonly wireName: string;
  /**
   * The class its value (or each item, for an array) is shaped by; undefined for a free-form value
   * (a primitive, `unknown`, a record, `@WebhookProperty({ schema })`), which is sent as it is.
   */
  readonly nested: Function | undefined;
  readonly toPlainTransforms: readonly ToPlainTransform[];
  /** `@Transform` exists for the receiving direction: class-transformer must see the real value then. */
  readonly transformsToClass: boolean;
}

/** The declared properties of a class, and what an instance may hold besides them without being refused. */
export interface ClassShape {
  readonly name: string;
  readonly properties: readonly PropertyShape[];
  /** Property names an instance may carry (declared or `@Exclude`d); undefined: anything (`@Exclude()` on the class). */
  readonly known: ReadonlySet<string> | undefined;
}

/** Values that serialise to a JSON primitive or are free-form: never a class to shape by. */
const NOT_A_PAYLOAD_CLASS = new Set<unknown>([String, Number, Boolean, Date, Object, Array, Set, Map, Buffer]);

const shapes = new WeakMap<Function, ClassShape>();

/** The shape of `cls`, built on first use and cached for the life of the class. */
export function shapeOf(cls: Function): ClassShape {
  let shape = shapes.get(cls);
  if (shape === undefined) {
    shape = buildShape(cls);
    shapes.set(cls, shape);
  }
  return shape;
}

function buildShape(cls: Function): ClassShape {
  const exclusions = readClassExclusions(cls);
  const properties = readClassProperties(cls).map((facts): PropertyShape => ({
    propertyName: facts.propertyName,
    wireName: facts.wireName,
    nested:
      facts.options?.schema !== undefined
        ? undefined
        : nestedClass(
            facts.options?.type,
            facts.transformerType,
            facts.designType,
            `${cls.name}.${facts.propertyName}`,
          ),
    toPlainTransforms: facts.toPlainTransforms,
    transformsToClass: facts.transformedToClass,
  }));
  return {
    name: cls.name,
    properties,
    known: exclusions.exposeOnly
      ? undefined
      : new Set([...properties.map((p) => p.propertyName), ...exclusions.excluded]),
  };
}

/** The class a property holds, by the schema generator's precedence: `@WebhookProperty({ type })`, `@Type`, design:type. */
function nestedClass(
  optionType: (() => unknown) | undefined,
  transformerType: (() => unknown) | undefined,
  designType: Function | undefined,
  where: string,
): Function | undefined {
  let type: unknown = designType;
  if (optionType !== undefined) {
    const resolved = optionType();
    type = Array.isArray(resolved) ? resolved[0] : resolved;
  } else if (transformerType !== undefined) {
    type = resolveTypeReference(transformerType);
  }
  if (type !== designType && typeof type !== 'function') {
    // Sent unshaped, the value would carry every property it holds: refuse instead.
    throw new WebhookDefinitionError(
      'invalid-type',
      `${where}: its @Type(() => …) or @WebhookProperty({ type }) returned ${String(type)}, not a class, so send() ` +
        'cannot tell which of its properties to send. Check for a circular import that leaves the class undefined.',
    );
  }
  return typeof type === 'function' && isPayloadClass(type) ? type : undefined;
}

/** A user's class: not a constructor of the platform (Buffer, Map, Promise, …), which has no declared shape. */
function isPayloadClass(type: Function): boolean {
  return !NOT_A_PAYLOAD_CLASS.has(type) && (globalThis as Record<string, unknown>)[type.name] !== type;
}
