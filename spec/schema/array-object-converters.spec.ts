import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsInt,
  IsNotEmptyObject,
  IsObject,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { describe, expect, it } from 'vitest';
import { propertiesOf } from '../support/schema-of';

describe('array rules', () => {
  it('maps @ArrayMinSize and @ArrayMaxSize to minItems and maxItems', () => {
    class Tagged {
      @IsArray() @IsString({ each: true }) @ArrayMinSize(1) @ArrayMaxSize(10) tags!: string[];
    }
    expect(propertiesOf(Tagged)).toEqual({
      tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 10 },
    });
  });

  it('maps @ArrayNotEmpty to minItems 1 and @ArrayUnique to uniqueItems', () => {
    class Tagged {
      @IsString({ each: true }) @ArrayNotEmpty() @ArrayUnique() tags!: string[];
    }
    expect(propertiesOf(Tagged)).toEqual({
      tags: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
    });
  });

  it('gives the items the each: true rules and the array its own rules', () => {
    class Scores {
      @IsArray()
      @IsInt({ each: true })
      @Min(1, { each: true })
      @Max(5, { each: true })
      @ArrayMaxSize(3)
      stars!: number[];
    }
    expect(propertiesOf(Scores)).toEqual({
      stars: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 5 }, maxItems: 3 },
    });
  });

  it('applies each: true string rules and formats to the items', () => {
    class Recipients {
      @IsEmail({}, { each: true }) @MaxLength(254, { each: true }) @ArrayMinSize(1) emails!: string[];
    }
    expect(propertiesOf(Recipients)).toEqual({
      emails: { type: 'array', items: { type: 'string', format: 'email', maxLength: 254 }, minItems: 1 },
    });
  });

  it('treats a property as an array when @IsArray says so, whatever design:type records', () => {
    class Loose {
      @IsArray() @IsString({ each: true }) values!: string[] | null;
    }
    expect(propertiesOf(Loose)).toEqual({ values: { type: 'array', items: { type: 'string' } } });
  });

  it('maps a Set to an array of unique items', () => {
    class Unique {
      @IsString({ each: true }) labels!: Set<string>;
    }
    expect(propertiesOf(Unique)).toEqual({
      labels: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    });
  });
});

describe('object rules', () => {
  it('maps @IsObject to type object', () => {
    class WithMetadata {
      @IsObject() metadata!: Record<string, unknown>;
    }
    expect(propertiesOf(WithMetadata)).toEqual({ metadata: { type: 'object' } });
  });

  it('maps @IsNotEmptyObject to an object with at least one property', () => {
    class WithMetadata {
      @IsNotEmptyObject() metadata!: Record<string, string>;
    }
    expect(propertiesOf(WithMetadata)).toEqual({ metadata: { type: 'object', minProperties: 1 } });
  });
});
