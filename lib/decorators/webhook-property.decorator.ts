import { WebhookDefinitionError } from '../errors';
import { addPropertyOptions, assertReflectMetadata } from '../metadata';
import type { WebhookPropertyOptions } from '../metadata';
import { checkDecoratorOptions, memberName } from './check-options';

/** Every option, as a record so that an option added to the interface but not here fails to compile. */
const PROPERTY_OPTION_KEYS = Object.keys({
  description: true,
  title: true,
  example: true,
  examples: true,
  format: true,
  deprecated: true,
  nullable: true,
  readOnly: true,
  default: true,
  type: true,
  items: true,
  schema: true,
} satisfies Record<keyof WebhookPropertyOptions, true>) as readonly (keyof WebhookPropertyOptions)[];

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
