import { IsInt, IsNotEmpty, IsString, Length, Matches, MaxLength, MinLength } from 'class-validator';
import { SchemaGenerationError } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { propertiesOf, SCHEMA_OF_WEBHOOK, schemaOf } from '../support/schema-of';

function errorOf(build: () => unknown): SchemaGenerationError {
  try {
    build();
  } catch (error) {
    if (error instanceof SchemaGenerationError) return error;
    throw error;
  }
  throw new Error('expected a SchemaGenerationError');
}

describe('lengths', () => {
  it('maps @MinLength and @MaxLength to minLength and maxLength', () => {
    class Named {
      @IsString() @MinLength(2) @MaxLength(40) name!: string;
    }
    expect(propertiesOf(Named)).toEqual({ name: { type: 'string', minLength: 2, maxLength: 40 } });
  });

  it('maps @Length to both bounds, or to minLength alone when no maximum is given', () => {
    class Coded {
      @Length(3, 3) currency!: string;
      @Length(8) password!: string;
    }
    expect(propertiesOf(Coded)).toEqual({
      currency: { type: 'string', minLength: 3, maxLength: 3 },
      password: { type: 'string', minLength: 8 },
    });
  });
});

describe('@Matches', () => {
  it('maps a RegExp to its source as pattern', () => {
    class Coded {
      @Matches(/^[A-Z]{3}$/) currency!: string;
    }
    expect(propertiesOf(Coded)).toEqual({ currency: { type: 'string', pattern: '^[A-Z]{3}$' } });
  });

  it('maps a string pattern as it is', () => {
    class Slugged {
      @Matches('^[a-z0-9-]+$') slug!: string;
    }
    expect(propertiesOf(Slugged)).toEqual({ slug: { type: 'string', pattern: '^[a-z0-9-]+$' } });
  });

  it('accepts the u flag, and the g flag that changes nothing about what a pattern matches', () => {
    class Flagged {
      @Matches(/^\p{L}+$/u) word!: string;
      @Matches(/^\d+$/g) digits!: string;
    }
    expect(propertiesOf(Flagged)).toEqual({
      word: { type: 'string', pattern: '^\\p{L}+$' },
      digits: { type: 'string', pattern: '^\\d+$' },
    });
  });

  it('refuses a RegExp with the i flag, naming @Matches, the property and the fix', () => {
    class Caseless {
      @Matches(/^abc$/i) code!: string;
    }
    const error = errorOf(() => schemaOf(Caseless));
    expect(error.code).toBe('unsupported-pattern-flags');
    expect(error.message).toMatch(/Caseless\.code/);
    expect(error.message).toMatch(/@Matches\(\/\^abc\$\/i\)/);
    expect(error.message).toMatch(/flag 'i'/);
    expect(error.message).toMatch(/@WebhookProperty\(\{ schema/);
  });

  it('refuses string modifiers with the i flag as well', () => {
    class Caseless {
      @Matches('^abc$', 'im') code!: string;
    }
    expect(() => schemaOf(Caseless)).toThrow(SchemaGenerationError);
    expect(() => schemaOf(Caseless)).toThrow(/flags 'im'/);
  });

  it('prefixes a converter error with the path from the payload', () => {
    class Caseless {
      @Matches(/x/i) code!: string;
    }
    const error = errorOf(() => schemaOf(Caseless));
    expect(error.path).toEqual([`webhook '${SCHEMA_OF_WEBHOOK}'`, 'Caseless', 'code']);
    expect(error.message).toMatch(/^\[webhook 'schema-of'\] \[Caseless\] \[code\] Caseless\.code: @Matches/);
  });
});

describe('@IsNotEmpty', () => {
  it('adds minLength 1 to a string', () => {
    class Titled {
      @IsString() @IsNotEmpty() title!: string;
    }
    expect(propertiesOf(Titled)).toEqual({ title: { type: 'string', minLength: 1 } });
  });

  it('adds minLength 1 when the type validator is applied after it', () => {
    // Decorators apply bottom-up: @IsNotEmpty is recorded before @IsString. The union makes design:type
    // Object under vitest, so only @IsString says that the value is a string (tsc would record String).
    class Titled {
      @IsNotEmpty() @IsString() title!: string | null;
    }
    expect(propertiesOf(Titled)).toEqual({ title: { type: 'string', minLength: 1 } });
  });

  it('adds minLength 1 to a string known only from design:type', () => {
    class Titled {
      @IsNotEmpty() title!: string;
    }
    expect(propertiesOf(Titled)).toEqual({ title: { type: 'string', minLength: 1 } });
  });

  it('keeps a stricter minLength', () => {
    class Titled {
      @IsNotEmpty() @MinLength(3) title!: string;
    }
    expect(propertiesOf(Titled)).toEqual({ title: { type: 'string', minLength: 3 } });
  });

  it('adds nothing to a number, where it only means "present"', () => {
    class Counted {
      @IsNotEmpty() @IsInt() count!: number;
    }
    expect(propertiesOf(Counted)).toEqual({ count: { type: 'integer' } });
  });
});
