/*
 * What @nestjs/swagger's `@ApiProperty` / `@ApiPropertyOptional` say about a property, read from the
 * metadata those decorators write (their reflect-metadata keys, stable since @nestjs/swagger 4), never by
 * importing @nestjs/swagger: neither the schema layer nor the sender may load Nest. A DTO that is both a request body and a
 * webhook payload is then described once, with what Nest would document plus class-validator's rules.
 *
 * Annotations (description, example, default, …) become `@WebhookProperty` options laid under the user's
 * own; keywords (type, enum, bounds, pattern) travel as the rule `apiProperty`, which lib/schema's
 * api-property.converter.ts turns into JSON Schema.
 */
import type { TypeReference, WebhookPropertyOptions } from '../metadata';
import type { ValidationFact } from './validation-fact';

/** @nestjs/swagger's `DECORATORS.API_MODEL_PROPERTIES` and `API_MODEL_PROPERTIES_ARRAY`. */
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';
const API_MODEL_PROPERTIES_ARRAY = 'swagger/apiModelPropertiesArray';

/** The converter-table name of the rule that carries `@ApiProperty`'s keywords. */
export const API_PROPERTY_RULE = 'apiProperty';

/** What `@ApiProperty` adds to a property's facts. */
export interface ApiPropertyFacts {
  readonly options: WebhookPropertyOptions;
  /** `@ApiPropertyOptional()` / `required: false`: the property may be missing. */
  readonly optional: boolean;
  readonly rule: ValidationFact;
}

/** What `@ApiProperty` wrote, as Nest stores it. */
export type ApiPropertyMetadata = Record<string, unknown>;

/** The names of a class's own `@ApiProperty` properties, in declaration order. */
export function ownApiPropertyNames(cls: Function): string[] {
  const keys: unknown = Reflect.getOwnMetadata(API_MODEL_PROPERTIES_ARRAY, cls.prototype);
  if (!Array.isArray(keys)) return [];
  return keys.filter((key): key is string => typeof key === 'string' && key.startsWith(':')).map((key) => key.slice(1));
}

/** `@ApiProperty` of one property (inherited included, as Nest reads it), or undefined. */
export function readApiProperty(target: Function, propertyName: string): ApiPropertyFacts | undefined {
  const metadata: unknown = Reflect.getMetadata(API_MODEL_PROPERTIES, target.prototype, propertyName);
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const m = metadata as ApiPropertyMetadata;
  const options: WebhookPropertyOptions = {};
  if (typeof m.description === 'string') options.description = m.description;
  if (typeof m.title === 'string') options.title = m.title;
  if (typeof m.format === 'string') options.format = m.format;
  if (m.example !== undefined) options.example = m.example;
  if (Array.isArray(m.examples)) options.examples = m.examples;
  if (m.default !== undefined) options.default = m.default;
  if (m.deprecated === true) options.deprecated = true;
  if (m.nullable === true) options.nullable = true;
  if (m.readOnly === true) options.readOnly = true;
  const type = typeReference(m);
  if (type !== undefined) options.type = () => type;
  return { options, optional: m.required === false, rule: { name: API_PROPERTY_RULE, constraints: [m], each: false } };
}

/**
 * A class named by `type: Line`, `type: () => Line` or `type: [Line]` (or `isArray`), when that says more
 * than `design:type`: Nest records `design:type` there when `type` is not given.
 */
function typeReference(m: ApiPropertyMetadata): TypeReference | undefined {
  let type = m.type;
  if (typeof type === 'function' && type.name === 'type' && !type.prototype) type = (type as () => unknown)();
  const array = Array.isArray(type) || m.isArray === true;
  const item: unknown = Array.isArray(type) ? type[0] : type;
  if (typeof item !== 'function' || item === Object || item === Array) return undefined;
  return array ? [item] : item;
}
