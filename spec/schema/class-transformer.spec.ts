import { Exclude, Expose, instanceToPlain } from 'class-transformer';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { SchemaGenerationError } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { schemaOf } from '../support/schema-of';

describe('@Expose({ name })', () => {
  it('renames the property and its required entry', () => {
    class Account {
      @Expose({ name: 'user_name' }) @IsString() userName!: string;
      @IsInt() age!: number;
    }
    expect(schemaOf(Account)).toEqual({
      type: 'object',
      properties: { user_name: { type: 'string' }, age: { type: 'integer' } },
      required: ['user_name', 'age'],
    });
  });

  it('lists the same keys as instanceToPlain writes', () => {
    class Account {
      @Expose({ name: 'user_name' }) @IsString() userName!: string;
      @Expose({ name: 'display' }) @IsOptional() @IsString() displayName?: string;
    }
    const plain = instanceToPlain(Object.assign(new Account(), { userName: 'ada', displayName: 'Ada' }));
    expect(Object.keys(schemaOf(Account).properties ?? {})).toEqual(Object.keys(plain));
  });

  it('uses the rename of a toClassOnly @Expose, which instanceToPlain applies as well', () => {
    class Account {
      @Expose({ name: 'user_name', toClassOnly: true }) @IsString() userName!: string;
    }
    expect(instanceToPlain(Object.assign(new Account(), { userName: 'ada' }))).toEqual({ user_name: 'ada' });
    expect(schemaOf(Account).properties).toEqual({ user_name: { type: 'string' } });
  });

  it('refuses two properties serialised under one name', () => {
    class Clash {
      @Expose({ name: 'name' }) @IsString() firstName!: string;
      @Expose({ name: 'name' }) @IsString() lastName!: string;
    }
    expect(() => schemaOf(Clash)).toThrow(SchemaGenerationError);
    expect(() => schemaOf(Clash)).toThrow(
      /^\[webhook 'schema-of'\] \[Clash\] Clash\.lastName and Clash\.firstName are both serialised as 'name' \(check @Expose\(\{ name \}\)\)/,
    );
  });

  it('refuses a rename onto the name of another property', () => {
    class Clash {
      @IsString() name!: string;
      @Expose({ name: 'name' }) @IsString() title!: string;
    }
    let code: string | undefined;
    try {
      schemaOf(Clash);
    } catch (error) {
      code = (error as SchemaGenerationError).code;
    }
    expect(code).toBe('duplicate-property');
  });
});

describe('@Exclude', () => {
  it('omits an excluded property', () => {
    class User {
      @IsString() id!: string;
      @Exclude() @IsString() passwordHash!: string;
      @Exclude({ toPlainOnly: true }) @IsString() internalNote!: string;
    }
    expect(schemaOf(User)).toEqual({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] });
  });

  it('keeps a property excluded only when plain objects become classes, since it is still sent', () => {
    class User {
      @Exclude({ toClassOnly: true }) @IsString() token!: string;
    }
    expect(instanceToPlain(Object.assign(new User(), { token: 't' }))).toEqual({ token: 't' });
    expect(schemaOf(User)).toEqual({
      type: 'object',
      properties: { token: { type: 'string' } },
      required: ['token'],
    });
  });

  it('lists only the @Expose properties of a class with a class-level @Exclude', () => {
    @Exclude()
    class PublicUser {
      @Expose() @IsString() id!: string;
      @IsString() email!: string;
      @Expose({ name: 'display_name' }) @IsString() displayName!: string;
      @IsInt() loginCount!: number;
    }
    const plain = instanceToPlain(
      Object.assign(new PublicUser(), { id: 'u1', email: 'a@b.c', displayName: 'Ada', loginCount: 3 }),
    );
    expect(plain).toEqual({ id: 'u1', display_name: 'Ada' });
    expect(schemaOf(PublicUser)).toEqual({
      type: 'object',
      properties: { id: { type: 'string' }, display_name: { type: 'string' } },
      required: ['id', 'display_name'],
    });
  });

  it('leaves out a property exposed only for groups, which instanceToPlain without groups never writes', () => {
    class Member {
      @IsString() id!: string;
      @Expose({ groups: ['admin'] }) @IsString() email!: string;
    }
    expect(instanceToPlain(Object.assign(new Member(), { id: 'm1', email: 'a@b.c' }))).toEqual({ id: 'm1' });
    expect(schemaOf(Member)).toEqual({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] });
  });
});
