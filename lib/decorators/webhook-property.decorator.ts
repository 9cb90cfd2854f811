import { WebhookDefinitionError } from '../errors';
import { addPropertyOptions, assertReflectMetadata } from '../metadata';
import type { WebhookPropertyOptions } from '../metadata';
import { checkDecoratorOptions, memberName } from './check-options';

const PROPERTY_OPTION_KEYS: readonly (keyof WebhookPropertyOptions)[] = [
  'description',
  'title',
  'example',
  'examples',
  'format',
  'deprecated',
  'nullable',
  'readOnly',
  'default',
  'type',
  'items',
  'schema',
];

/**
 * Documents a payload property beyond what class-validator and class-transformer say, and gives the type
 * of a property that cannot be inferred (unions, records, `unknown`). Validation rules, optionality,
 * renames and exclusions are read from class-validator / class-transformer, never declared twice.
 */
export function WebhookProperty(options: WebhookPropertyOptions = {}): PropertyDecorator {
  return (target: object, propertyKey: string | symbol): void => {
    const where = `@WebhookProperty on ${memberName(target, propertyKey)}`;
    assertReflectMetadata(where);
    checkDecoratorOptions(options, PROPERTY_OPTION_KEYS, where, "{ description: 'Display name' }");
    if (typeof propertyKey === 'symbol' || typeof target === 'function') {
      throw new WebhookDefinitionError(
        'invalid-target',
        `${where}: @WebhookProperty goes on an instance property with a string name.`,
      );
    }
    if (options.type !== undefined && (typeof options.type !== 'function' || options.type.prototype !== undefined)) {
      throw new WebhookDefinitionError(
        'invalid-option',
        `${where}: 'type' must be an arrow function returning the type, e.g. type: () => Address or type: () => [String].`,
      );
    }
    if (options.examples !== undefined && !Array.isArray(options.examples)) {
      throw new WebhookDefinitionError('invalid-option', `${where}: 'examples' must be an array of example values.`);
    }
    addPropertyOptions(target.constructor, propertyKey, options);
  };
}
