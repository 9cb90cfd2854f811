import type { ReferenceObject, SchemaObject } from 'openapi3-ts/oas31';
import { SchemaGenerationError } from '../errors';
import { readClassProperties } from '../facts';
import type { SchemaConverters } from './converter';
import { defaultConverters } from './default-converters';
import { buildPropertySchema } from './property-schema';

/** Component names must match this in OpenAPI 3.1. */
const COMPONENT_NAME = /^[a-zA-Z0-9._-]+$/;

export interface SchemaGeneratorOptions {
  /** Extra or replacement converters by class-validator rule name, laid over the built-in table. */
  readonly converters?: SchemaConverters;
}

/**
 * Turns payload classes into JSON Schema 2020-12 component schemas. One generator per document: it
 * holds the schemas built so far, so a class referenced from many places (or from itself) is built
 * once and referenced by `$ref`.
 */
export class SchemaGenerator {
  private readonly converters: SchemaConverters;
  private readonly classesByName = new Map<string, { type: Function; firstSeen: readonly string[] }>();
  private readonly schemas = new Map<string, SchemaObject>();

  constructor(options: SchemaGeneratorOptions = {}) {
    this.converters = { ...defaultConverters, ...options.converters };
  }

  /** A `$ref` to the class's component schema, building it (and what it references) on first use. */
  refFor(type: Function, path: readonly string[] = []): ReferenceObject {
    const name = this.register(type, path);
    return { $ref: `#/components/schemas/${name}` };
  }

  /** The component schemas built so far, sorted by name. */
  components(): Record<string, SchemaObject> {
    return Object.fromEntries([...this.schemas.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private register(type: Function, path: readonly string[]): string {
    const name = type.name;
    const here = [...path, name];
    const known = this.classesByName.get(name);
    if (known?.type === type) return name;
    if (known) {
      throw new SchemaGenerationError(
        'schema-name-conflict',
        `two different classes are named '${name}' (the other one is used at ${known.firstSeen.map((p) => `[${p}]`).join(' ')}); ` +
          `both would be components.schemas.${name}. Rename one of the classes.`,
        here,
      );
    }
    if (!COMPONENT_NAME.test(name)) {
      throw new SchemaGenerationError(
        'invalid-schema-name',
        `the class name ${JSON.stringify(name)} cannot be a component name (letters, digits, '.', '_', '-'). ` +
          `Give the payload class a plain name; anonymous classes cannot be documented.`,
        here,
      );
    }
    this.classesByName.set(name, { type, firstSeen: here });
    const schema: SchemaObject = { type: 'object' };
    this.schemas.set(name, schema); // registered before its properties, so a class may reference itself
    Object.assign(schema, this.classSchema(type, here));
    return name;
  }

  private classSchema(type: Function, path: readonly string[]): SchemaObject {
    const properties: Record<string, SchemaObject | ReferenceObject> = {};
    const required: string[] = [];
    const owners = new Map<string, string>();
    for (const facts of readClassProperties(type)) {
      const clash = owners.get(facts.wireName);
      if (clash !== undefined) {
        throw new SchemaGenerationError(
          'duplicate-property',
          `${type.name}.${facts.propertyName} and ${type.name}.${clash} are both serialised as '${facts.wireName}' ` +
            `(check @Expose({ name })). Give each property its own name in the body.`,
          path,
        );
      }
      owners.set(facts.wireName, facts.propertyName);
      const { schema, required: isRequired } = buildPropertySchema(facts, {
        owner: type,
        path,
        converters: this.converters,
        refFor: (nested, nestedPath) => this.refFor(nested, nestedPath),
      });
      properties[facts.wireName] = schema;
      if (isRequired) required.push(facts.wireName);
    }
    return {
      type: 'object',
      ...(Object.keys(properties).length > 0 ? { properties } : {}),
      ...(required.length > 0 ? { required } : {}),
    };
  }
}
