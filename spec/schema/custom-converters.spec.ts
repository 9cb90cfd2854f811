import { IsOptional, IsString, Validate, ValidatorConstraint } from 'class-validator';
import type { ValidatorConstraintInterface } from 'class-validator';
import { buildOpenApi, defaultConverters, SchemaGenerationError, Webhook, WebhookProperty } from 'hookspec';
import type { SchemaConverter } from 'hookspec';
import type { OpenAPIObject, SchemaObject } from 'openapi3-ts/oas31';
import { describe, expect, it } from 'vitest';

@ValidatorConstraint({ name: 'isCurrencyCode' })
class IsCurrencyCode implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && /^[A-Z]{3}$/.test(value);
  }
}

@Webhook('price.changed')
class PriceChanged {
  @IsString() @Validate(IsCurrencyCode) currency!: string;
}

const propertiesOf = (document: OpenAPIObject, name: string) =>
  (document.components?.schemas?.[name] as SchemaObject).properties ?? {};

const currencyConverter: SchemaConverter = () => ({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3 });

describe('converters given to buildOpenApi', () => {
  it('describe a @Validate(Constraint) rule by the constraint’s registered name', () => {
    const document = buildOpenApi({ webhooks: [PriceChanged], converters: { isCurrencyCode: currencyConverter } });
    expect(propertiesOf(document, 'PriceChanged').currency).toEqual({
      type: 'string',
      pattern: '^[A-Z]{3}$',
      minLength: 3,
      maxLength: 3,
    });
  });

  it('leave a rule without a converter out, and keep the other rules', () => {
    const document = buildOpenApi({ webhooks: [PriceChanged] });
    expect(propertiesOf(document, 'PriceChanged').currency).toEqual({ type: 'string' });
  });

  it('can replace a built-in row, and see the rule and the schema so far', () => {
    const seen: unknown[] = [];
    const isString: SchemaConverter = (context) => {
      seen.push({ name: context.validation.name, each: context.validation.each, where: context.where });
      return { ...defaultConverters.isString?.(context), maxLength: 200 };
    };
    const document = buildOpenApi({ webhooks: [PriceChanged], converters: { isString } });
    expect(propertiesOf(document, 'PriceChanged').currency).toEqual({
      type: 'string',
      maxLength: 200,
    });
    expect(seen).toEqual([{ name: 'isString', each: false, where: 'PriceChanged.currency' }]);
  });

  it('get the path prefixed to the errors they throw', () => {
    @Webhook('strict.price')
    class StrictPrice {
      @IsString() @Validate(IsCurrencyCode) currency!: string;
    }
    const refuse: SchemaConverter = ({ where }) => {
      throw new SchemaGenerationError('unsupported-rule', `${where}: isCurrencyCode cannot be described`);
    };
    expect(() => buildOpenApi({ webhooks: [StrictPrice], converters: { isCurrencyCode: refuse } })).toThrow(
      "[webhook 'strict.price'] [StrictPrice] [currency] StrictPrice.currency: isCurrencyCode cannot be described",
    );
  });
});

describe('a nullable array', () => {
  it('is still an array when TypeScript records `T[] | null` as Object', () => {
    @Webhook('tags.changed')
    class TagsChanged {
      @IsOptional() @IsString({ each: true }) tags!: string[] | null;
      @WebhookProperty({ nullable: true, items: { type: 'integer' } }) ids!: number[] | null;
    }
    const properties = propertiesOf(buildOpenApi({ webhooks: [TagsChanged] }), 'TagsChanged');
    expect(properties).toEqual({
      tags: { type: ['array', 'null'], items: { type: 'string' } },
      ids: { type: ['array', 'null'], items: { type: 'integer' } },
    });
  });
});
