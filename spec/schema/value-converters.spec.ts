import { Equals, IsEnum, IsIn, IsInt, IsNegative, IsNumber, IsPositive, Max, Min } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { propertiesOf } from '../support/schema-of';

enum Status {
  Active = 'active',
  Paused = 'paused',
}

enum Priority {
  Low,
  High = 5,
  Urgent,
}

enum Offset {
  Before = -1,
  Half = 0.5,
}

enum Heterogeneous {
  Named = 'named',
  Numbered = 1,
}

/*
 * design:type of an enum-typed property depends on the compiler: tsc records String or Number; oxc (vitest)
 * does so for an enum declared in the same file, but records the enum object for an imported one, which the
 * adapter treats as unknown. Every expectation here comes from @IsEnum alone, so it holds either way.
 */
describe('@IsEnum', () => {
  it('lists the values of a string enum with type string', () => {
    class WithStatus {
      @IsEnum(Status) status!: Status;
    }
    expect(propertiesOf(WithStatus)).toEqual({ status: { type: 'string', enum: ['active', 'paused'] } });
  });

  it('lists only the values of a numeric enum, without its reverse-mapping keys', () => {
    class WithPriority {
      @IsEnum(Priority) priority!: Priority;
    }
    expect(propertiesOf(WithPriority)).toEqual({ priority: { type: 'integer', enum: [0, 5, 6] } });
  });

  it('skips reverse-mapping keys of negative and fractional members', () => {
    class WithOffset {
      @IsEnum(Offset) offset!: Offset;
    }
    expect(propertiesOf(WithOffset)).toEqual({ offset: { type: 'number', enum: [-1, 0.5] } });
  });

  it('lists a mixed enum without a common type', () => {
    class WithHeterogeneous {
      @IsEnum(Heterogeneous) kind!: Heterogeneous;
    }
    expect(propertiesOf(WithHeterogeneous)).toEqual({ kind: { enum: ['named', 1] } });
  });

  it('accepts a plain object as the enum', () => {
    const Currency = { Euro: 'EUR', Dollar: 'USD' } as const;
    class Priced {
      @IsEnum(Currency) currency!: string;
    }
    expect(propertiesOf(Priced)).toEqual({ currency: { type: 'string', enum: ['EUR', 'USD'] } });
  });
});

describe('@IsIn and @Equals', () => {
  it('maps @IsIn to an enum with the common type, duplicates removed', () => {
    class Picked {
      @IsIn(['small', 'large', 'small']) size!: string;
      @IsIn([1, 2, 3]) level!: number;
      @IsIn([0.5, 1]) ratio!: number;
      @IsIn([true]) accepted!: boolean;
    }
    expect(propertiesOf(Picked)).toEqual({
      size: { type: 'string', enum: ['small', 'large'] },
      level: { type: 'integer', enum: [1, 2, 3] },
      ratio: { type: 'number', enum: [0.5, 1] },
      accepted: { type: 'boolean', enum: [true] },
    });
  });

  it('maps @IsIn with values of several types to an untyped enum', () => {
    class Loose {
      @IsIn(['auto', 0]) mode!: string | number;
    }
    expect(propertiesOf(Loose)).toEqual({ mode: { enum: ['auto', 0] } });
  });

  it('maps @Equals to const, keeping the type design:type gives', () => {
    class Versioned {
      @Equals('v1') version!: string;
      @Equals(3) revision!: number;
    }
    expect(propertiesOf(Versioned)).toEqual({
      version: { type: 'string', const: 'v1' },
      revision: { type: 'number', const: 3 },
    });
  });
});

describe('numeric bounds', () => {
  it('maps @Min and @Max to inclusive minimum and maximum', () => {
    class Scored {
      @IsNumber() @Min(0) @Max(100) score!: number;
      @IsInt() @Min(-10) delta!: number;
    }
    expect(propertiesOf(Scored)).toEqual({
      score: { type: 'number', minimum: 0, maximum: 100 },
      delta: { type: 'integer', minimum: -10 },
    });
  });

  it('maps @IsPositive and @IsNegative to exclusive bounds at zero', () => {
    class Signed {
      @IsPositive() credit!: number;
      @IsInt() @IsNegative() debit!: number;
    }
    expect(propertiesOf(Signed)).toEqual({
      credit: { type: 'number', exclusiveMinimum: 0 },
      debit: { type: 'integer', exclusiveMaximum: 0 },
    });
  });
});
