/*
 * The one place that reads class-validator's and class-transformer's own metadata storages. Everything
 * else in lib/schema works from the plain `PropertyFacts` this file returns, so a change in either
 * library's internals is absorbed here.
 */
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { TransformationType } from 'class-transformer';
import type { WebhookPropertyOptions } from '../metadata';
import { getDesignType, getPropertyOptions, hasDesignMetadata, prototypeChain } from '../metadata';

/** One validation decorator on a property, as class-validator recorded it. */
export interface ValidationFact {
  /** class-validator's name of the rule: `isString`, `min`, `isEnum`, … (`undefined` for anonymous ones). */
  readonly name: string | undefined;
  readonly constraints: readonly unknown[];
  /** `each: true`: the rule applies to every item of an array, not to the array. */
  readonly each: boolean;
}

/** Everything that the libraries say about one property, after inheritance and exclusions. */
export interface PropertyFacts {
  readonly propertyName: string;
  /** The key in the serialised body: the `@Expose({ name })` rename, or the property name. */
  readonly wireName: string;
  /** The declared type (`design:type`); undefined when compiled without emitDecoratorMetadata. */
  readonly designType: Function | undefined;
  readonly hasDesignMetadata: boolean;
  readonly validations: readonly ValidationFact[];
  /** `@IsOptional()`: may be missing or null. */
  readonly optional: boolean;
  /** `@ValidateIf(...)`: validated only under a condition, so it may be missing. */
  readonly conditional: boolean;
  /** class-transformer's `@Type(() => X)`. */
  readonly transformerType: (() => unknown) | undefined;
  readonly options: WebhookPropertyOptions | undefined;
}

interface TransformerStorage {
  findTypeMetadata(target: Function, propertyName: string): { typeFunction: () => unknown } | undefined;
  findExposeMetadata(target: Function, propertyName: string): { options?: { name?: string } } | undefined;
  getExposedProperties(target: Function, transformationType: TransformationType): string[];
  getExcludedProperties(target: Function, transformationType: TransformationType): string[];
  getStrategy(target: Function): 'excludeAll' | 'exposeAll' | 'none';
  /** Private in class-transformer; read only to list properties that carry nothing but `@Type`. */
  _typeMetadatas?: Map<Function, Map<string, unknown>>;
}

// class-transformer exports its storage only from this path; it is the instance its decorators write to.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const transformerStorage = (require('class-transformer/cjs/storage') as { defaultMetadataStorage: TransformerStorage })
  .defaultMetadataStorage;

const TO_PLAIN = TransformationType.CLASS_TO_PLAIN;

/** The properties of a class that appear in its serialised form, base class first, in declaration order. */
export function readClassProperties(target: Function): PropertyFacts[] {
  const validations = validationMetadataByProperty(target);
  const options = getPropertyOptions(target);
  const excluded = new Set(transformerStorage.getExcludedProperties(target, TO_PLAIN));
  const exposed = new Set(transformerStorage.getExposedProperties(target, TO_PLAIN));
  const exposeOnly = transformerStorage.getStrategy(target) === 'excludeAll';

  return propertyNamesInOrder(target)
    .filter((name) => !excluded.has(name) && (!exposeOnly || exposed.has(name)))
    .map((propertyName) => {
      const metadata = validations.get(propertyName) ?? [];
      const expose = exposed.has(propertyName)
        ? transformerStorage.findExposeMetadata(target, propertyName)
        : undefined;
      const typeMetadata = transformerStorage.findTypeMetadata(target, propertyName);
      return {
        propertyName,
        wireName: expose?.options?.name ?? propertyName,
        designType: getDesignType(target, propertyName),
        hasDesignMetadata: hasDesignMetadata(target, propertyName),
        validations: metadata
          .filter((m) => m.type !== ValidationTypes.CONDITIONAL_VALIDATION)
          .map((m) => ({ name: m.name ?? m.type, constraints: m.constraints ?? [], each: m.each === true })),
        optional: metadata.some((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION && m.name === 'isOptional'),
        conditional: metadata.some((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION && m.name !== 'isOptional'),
        transformerType: typeMetadata?.typeFunction,
        options: options.get(propertyName),
      };
    });
}

function validationMetadataByProperty(target: Function): Map<string, ValidationMetadata[]> {
  // All groups, `always` or not: without groups at validate time, class-validator runs every rule.
  const all = getMetadataStorage().getTargetValidationMetadatas(target, '', false, false);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const metadata of all) {
    if (!metadata.propertyName) continue;
    byProperty.set(metadata.propertyName, [...(byProperty.get(metadata.propertyName) ?? []), metadata]);
  }
  return byProperty;
}

function propertyNamesInOrder(target: Function): string[] {
  const names = new Set<string>();
  const storage = getMetadataStorage();
  for (const cls of prototypeChain(target)) {
    const own = storage.getTargetValidationMetadatas(cls, '', false, false).filter((m) => m.target === cls);
    for (const metadata of own) if (metadata.propertyName) names.add(metadata.propertyName);
    for (const name of getPropertyOptions(cls).keys()) names.add(name);
    for (const name of transformerStorage.getExposedProperties(cls, TO_PLAIN)) names.add(name);
    for (const name of transformerStorage._typeMetadatas?.get(cls)?.keys() ?? []) names.add(name);
  }
  return [...names];
}
