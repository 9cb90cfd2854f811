import { Type } from 'class-transformer';
import { IsArray, IsString, ValidateNested } from 'class-validator';
import { buildOpenApi, HookspecError, SchemaGenerationError, Webhook, WebhookProperty } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { componentsOf, SCHEMA_OF_WEBHOOK, schemaOf } from '../support/schema-of';

function errorOf(build: () => unknown): SchemaGenerationError {
  try {
    build();
  } catch (error) {
    if (error instanceof SchemaGenerationError) return error;
    throw error;
  }
  throw new Error('expected a SchemaGenerationError');
}

interface Metadata {
  source: string;
}

describe('uninferable types', () => {
  it('refuses a union without a validator, naming Class.prop and the fix', () => {
    class Reading {
      @WebhookProperty({ description: 'A number or a label' }) value!: number | string;
    }
    const build = () => schemaOf(Reading);
    expect(build).toThrow(SchemaGenerationError);
    expect(build).toThrow(/cannot infer the type of Reading\.value: TypeScript records it as Object/);
    expect(build).toThrow(/@WebhookProperty\(\{ type/);
    expect(errorOf(build).code).toBe('uninferable-type');
  });

  it('refuses an interface-typed property whose only rule says nothing about the type', () => {
    class Tagged {
      @ValidateNested() metadata!: Metadata;
    }
    const error = errorOf(() => schemaOf(Tagged));
    expect(error.code).toBe('uninferable-type');
    expect(error.message).toMatch(/Tagged\.metadata/);
    expect(error.message).toMatch(/@WebhookProperty\(\{ schema/);
  });

  it('refuses an array whose item type nothing states, mentioning the item type', () => {
    class Tagged {
      @IsArray() tags!: string[];
    }
    const error = errorOf(() => schemaOf(Tagged));
    expect(error.code).toBe('uninferable-type');
    expect(error.message).toMatch(/cannot infer the item type of the array Tagged\.tags/);
    expect(error.message).toMatch(/@IsString\(\{ each: true \}\)/);
    expect(error.message).toMatch(/@WebhookProperty\(\{ type: \(\) => \[Item\] \}\)/);
  });

  it('refuses a Buffer, which has no JSON form of its own', () => {
    class Upload {
      @WebhookProperty({ description: 'Raw bytes' }) data!: Buffer;
    }
    const error = errorOf(() => schemaOf(Upload));
    expect(error.code).toBe('uninferable-type');
    expect(error.message).toMatch(/Upload\.data has the type Buffer/);
    expect(error.message).toMatch(/@WebhookProperty\(\{ schema/);
  });

  it('says to enable emitDecoratorMetadata when there is no design:type', () => {
    // Applied by hand, a decorator gets no design:type: what tsx and esbuild produce.
    class Bare {
      label?: string;
    }
    WebhookProperty({ description: 'A label' })(Bare.prototype, 'label');
    const error = errorOf(() => schemaOf(Bare));
    expect(error.code).toBe('uninferable-type');
    expect(error.message).toMatch(/no design:type metadata\. Compile with "emitDecoratorMetadata": true/);
  });

  it('refuses a @Type thunk that returns undefined, as a circular import does', () => {
    class Broken {
      @ValidateNested() @Type(() => undefined as unknown as Function) child!: object;
    }
    const error = errorOf(() => schemaOf(Broken));
    expect(error.code).toBe('invalid-type');
    expect(error.message).toMatch(/@Type\(\(\) => …\) on Broken\.child returned undefined/);
  });
});

describe('the path in error messages', () => {
  class Leaf {
    @WebhookProperty({ description: 'Either' }) value!: string | number;
  }
  class Branch {
    @ValidateNested() @Type(() => Leaf) leaf!: Leaf;
  }
  class Root {
    @IsString() id!: string;
    @ValidateNested() @Type(() => Branch) branch!: Branch;
  }

  it('starts the message with the path from the webhook down to the property', () => {
    const error = errorOf(() => schemaOf(Root));
    expect(error.path).toEqual([`webhook '${SCHEMA_OF_WEBHOOK}'`, 'Root', 'branch', 'Branch', 'leaf', 'Leaf', 'value']);
    expect(error.message).toMatch(
      /^\[webhook 'schema-of'\] \[Root\] \[branch\] \[Branch\] \[leaf\] \[Leaf\] \[value\] cannot infer the type/,
    );
  });

  it('starts the path with the webhook in buildOpenApi', () => {
    @Webhook('tree.grown')
    class TreeGrown {
      @ValidateNested() @Type(() => Branch) branch!: Branch;
    }
    const error = errorOf(() => buildOpenApi({ webhooks: [TreeGrown] }));
    expect(error).toBeInstanceOf(HookspecError);
    expect(error.name).toBe('SchemaGenerationError');
    expect(error.message).toMatch(
      /^\[webhook 'tree\.grown'\] \[TreeGrown\] \[branch\] \[Branch\] \[leaf\] \[Leaf\] \[value\]/,
    );
  });
});

describe('component names', () => {
  /** A class named `Item`; each call makes a different class. */
  function makeItem(field: string): Function {
    class Item {
      @IsString() sku!: string;
    }
    WebhookProperty({ description: field })(Item.prototype, 'sku');
    return Item;
  }
  const FirstItem = makeItem('first');
  const SecondItem = makeItem('second');

  it('refuses two different classes with one name reached from one payload', () => {
    class Basket {
      @ValidateNested() @Type(() => FirstItem) first!: object;
      @ValidateNested() @Type(() => SecondItem) second!: object;
    }
    const error = errorOf(() => schemaOf(Basket));
    expect(error.code).toBe('schema-name-conflict');
    expect(error.message).toMatch(
      /^\[webhook 'schema-of'\] \[Basket\] \[second\] \[Item\] two different classes are named 'Item'/,
    );
    expect(error.message).toMatch(/the other one is used at \[webhook 'schema-of'\] \[Basket\] \[first\] \[Item\]/);
    expect(error.message).toMatch(/Rename one of the classes/);
  });

  it('accepts one class reached twice', () => {
    class Basket {
      @ValidateNested() @Type(() => FirstItem) first!: object;
      @ValidateNested() @Type(() => FirstItem) second!: object;
    }
    expect(Object.keys(componentsOf(Basket))).toEqual(['Basket', 'Item']);
  });

  it('refuses an anonymous class, which has no name to be a component', () => {
    class Anonymous {
      @IsString() id!: string;
    }
    Object.defineProperty(Anonymous, 'name', { value: '' });
    const error = errorOf(() => schemaOf(Anonymous));
    expect(error.code).toBe('invalid-schema-name');
    expect(error.message).toMatch(/anonymous classes cannot be documented/);
  });
});
