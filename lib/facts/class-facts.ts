/*
 * The one place that reads class-validator's and class-transformer's own metadata storages. Everything
 * else (the schema generator, the sender's payload shaping) works from the plain `PropertyFacts` this file
 * returns, so a change in either library's internals is absorbed here.
 */
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { TransformationType } from 'class-transformer';
import type { WebhookPropertyOptions } from '../metadata';
import { getDesignType, getPropertyOptions, hasDesignMetadata, prototypeChain } from '../metadata';
import { ownApiPropertyNames, readApiProperty } from './api-property-facts';
import type { ValidationFact } from './validation-fact';

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
  /** `@ApiPropertyOptional()` (@nestjs/swagger): documented as possibly missing. */
  readonly documentedOptional: boolean;
  /** class-transformer's `@Type(() => X)`. */
  readonly transformerType: (() => unknown) | undefined;
  /** class-transformer's `@Transform` functions that apply when the payload is serialised, in order. */
  readonly toPlainTransforms: readonly ToPlainTransform[];
  /** A `@Transform` applies when a body becomes an instance (`plainToInstance`). */
  readonly transformedToClass: boolean;
  readonly options: WebhookPropertyOptions | undefined;
}

/** A `@Transform` function as class-transformer stores it: given the value, it returns what is sent. */
export type ToPlainTransform = (params: {
  value: unknown;
  key: string;
  obj: unknown;
  type: TransformationType;
  options: Record<string, unknown>;
}) => unknown;

/** What class-transformer was told to leave out of a class's serialised form. */
export interface ClassExclusions {
  /** `@Exclude()` properties (base classes included): present on instances, never sent. */
  readonly excluded: readonly string[];
  /** `@Exclude()` on the class: only `@Expose()`d properties are sent, whatever else an instance holds. */
  readonly exposeOnly: boolean;
}

interface TransformerStorage {
  findTypeMetadata(target: Function, propertyName: string): { typeFunction: () => unknown } | undefined;
  findExposeMetadata(
    target: Function,
    propertyName: string,
  ): { options?: { name?: string; groups?: string[] } } | undefined;
  getExposedProperties(target: Function, transformationType: TransformationType): string[];
  getExcludedProperties(target: Function, transformationType: TransformationType): string[];
  getStrategy(target: Function): 'excludeAll' | 'exposeAll' | 'none';
  findTransformMetadatas(
    target: Function,
    propertyName: string,
    transformationType: TransformationType,
  ): { transformFn: ToPlainTransform }[];
  /** Private in class-transformer; read only to list properties that carry nothing but `@Type`. */
  _typeMetadatas?: Map<Function, Map<string, unknown>>;
}

// class-transformer exports its storage only from this path; it is the instance its decorators write to.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const transformerStorage = (require('class-transformer/cjs/storage') as { defaultMetadataStorage: TransformerStorage })
  .defaultMetadataStorage;

const TO_PLAIN = TransformationType.CLASS_TO_PLAIN;

/**
 * The properties of a class that appear in its serialised form, base class first. Within a class they come
 * in declaration order per source: properties with class-validator rules, then those known only to
 * `@WebhookProperty`, `@Expose`, `@Type` or `@ApiProperty` (the storages share no common order).
 */
export function readClassProperties(target: Function): PropertyFacts[] {
  // One storage scan per class: class-validator's lookup walks every class it knows, so it is the cost
  // that grows with the size of the application.
  const allValidations = getMetadataStorage().getTargetValidationMetadatas(target, '', false, false);
  const validations = validationMetadataByProperty(allValidations);
  const options = getPropertyOptions(target);
  const excluded = new Set(transformerStorage.getExcludedProperties(target, TO_PLAIN));
  const exposed = new Set(transformerStorage.getExposedProperties(target, TO_PLAIN));
  const exposeOnly = transformerStorage.getStrategy(target) === 'excludeAll';

  // The client calls instanceToPlain without options. Like it, this reads any @Expose of a property for
  // its rename (even a toClassOnly one), and drops properties exposed only for groups.
  const exposeOf = (name: string) => transformerStorage.findExposeMetadata(target, name);
  return propertyNamesInOrder(target, allValidations)
    .filter((name) => !excluded.has(name) && (!exposeOnly || exposed.has(name)))
    .filter((name) => (exposeOf(name)?.options?.groups?.length ?? 0) === 0)
    .map((propertyName) => {
      const metadata = validations.get(propertyName) ?? [];
      const expose = exposeOf(propertyName);
      const typeMetadata = transformerStorage.findTypeMetadata(target, propertyName);
      const apiProperty = readApiProperty(target, propertyName);
      const ownOptions = options.get(propertyName);
      return {
        propertyName,
        wireName: expose?.options?.name ?? propertyName,
        designType: getDesignType(target, propertyName),
        hasDesignMetadata: hasDesignMetadata(target, propertyName),
        validations: metadata
          .filter((m) => m.type !== ValidationTypes.CONDITIONAL_VALIDATION)
          .map((m): ValidationFact => ({ name: ruleName(m), constraints: m.constraints ?? [], each: m.each === true }))
          .concat(apiProperty ? [apiProperty.rule] : []),
        optional: metadata.some((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION && m.name === 'isOptional'),
        conditional: metadata.some((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION && m.name !== 'isOptional'),
        documentedOptional: apiProperty?.optional ?? false,
        transformerType: typeMetadata?.typeFunction,
        toPlainTransforms: transformerStorage
          .findTransformMetadatas(target, propertyName, TO_PLAIN)
          .map((metadata) => metadata.transformFn),
        transformedToClass:
          transformerStorage.findTransformMetadatas(target, propertyName, TransformationType.PLAIN_TO_CLASS).length > 0,
        // The user's @WebhookProperty is laid over what @ApiProperty says.
        options: apiProperty ? { ...apiProperty.options, ...ownOptions } : ownOptions,
      };
    });
}

/** The properties class-transformer leaves out of `target`'s serialised form on purpose. */
export function readClassExclusions(target: Function): ClassExclusions {
  return {
    excluded: transformerStorage.getExcludedProperties(target, TO_PLAIN),
    exposeOnly: transformerStorage.getStrategy(target) === 'excludeAll',
  };
}

/**
 * The rule's name, by which converters are looked up: class-validator's own (`isString`), the `name` of a
 * `@ValidatorConstraint({ name })` class used through `@Validate(Constraint)`, or the system type
 * (`nestedValidation`, `isDefined`) for the rest.
 */
function ruleName(metadata: ValidationMetadata): string {
  if (metadata.name) return metadata.name;
  if (metadata.type === ValidationTypes.CUSTOM_VALIDATION && metadata.constraintCls) {
    const [constraint] = getMetadataStorage().getTargetValidatorConstraints(metadata.constraintCls);
    if (constraint?.name) return constraint.name;
  }
  return metadata.type;
}

/** All groups, `always` or not: without groups at validate time, class-validator runs every rule. */
function validationMetadataByProperty(all: readonly ValidationMetadata[]): Map<string, ValidationMetadata[]> {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const metadata of all) {
    if (!metadata.propertyName) continue;
    byProperty.set(metadata.propertyName, [...(byProperty.get(metadata.propertyName) ?? []), metadata]);
  }
  return byProperty;
}

/**
 * The rules declared on one class itself. class-validator keeps them per class in a private map; reading
 * it is O(1), where its public lookup scans every class it knows. The merged list drops a parent's rule
 * that a child redeclares, so it cannot tell where the parent put that property.
 */
function ownValidationMetadata(cls: Function, merged: readonly ValidationMetadata[]): readonly ValidationMetadata[] {
  const perClass = (getMetadataStorage() as unknown as { validationMetadatas?: unknown }).validationMetadatas;
  if (perClass instanceof Map) return (perClass.get(cls) as ValidationMetadata[] | undefined) ?? [];
  return merged.filter((metadata) => metadata.target === cls);
}

function propertyNamesInOrder(target: Function, validations: readonly ValidationMetadata[]): string[] {
  const names = new Set<string>();
  for (const cls of prototypeChain(target)) {
    for (const metadata of ownValidationMetadata(cls, validations)) {
      if (metadata.propertyName) names.add(metadata.propertyName);
    }
    for (const name of getPropertyOptions(cls).keys()) names.add(name);
    for (const name of transformerStorage.getExposedProperties(cls, TO_PLAIN)) names.add(name);
    for (const name of transformerStorage._typeMetadatas?.get(cls)?.keys() ?? []) names.add(name);
    for (const name of ownApiPropertyNames(cls)) names.add(name);
  }
  return [...names];
}
