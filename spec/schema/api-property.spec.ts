import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsString, ValidateNested } from 'class-validator';
import { Webhook, WebhookProperty } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { componentsOf } from '../support/schema-of';

enum Level {
  Low = 1,
  High = 2,
}

class Tag {
  @ApiProperty({ description: 'The label.' }) @IsString() label!: string;
}

@Webhook('annotated')
class Annotated {
  @ApiProperty({ description: 'The name.', example: 'ada', title: 'Name', default: 'anon' })
  @IsString()
  name!: string;

  @ApiPropertyOptional({ description: 'Left out when unknown.' }) @IsString() nickname?: string;

  @ApiProperty({ enum: Level }) @IsInt() level!: Level;

  @ApiProperty({ type: 'integer', minimum: 0, exclusiveMinimum: true }) @IsNumber() count!: number;

  @ApiProperty({ type: [Tag] }) tags!: Tag[];

  @ApiProperty({ enum: ['a', 'b'], isArray: true }) @IsString({ each: true }) letters!: string[];

  @ApiProperty({ pattern: '^[a-z]+$', maxLength: 5, minLength: 1, deprecated: true }) code!: string;

  @ApiProperty({ description: 'Overridden.' })
  @WebhookProperty({ description: 'Mine wins.' })
  @IsString()
  label!: string;

  @ApiPropertyOptional({ type: Tag, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => Tag)
  main?: Tag | null;

  @ApiProperty({ readOnly: true }) @IsString() id!: string;
}

const schemas = () => componentsOf(Annotated);

describe('@ApiProperty from @nestjs/swagger', () => {
  it('gives descriptions, titles, examples and defaults', () => {
    expect(schemas().Annotated?.properties?.name).toEqual({
      type: 'string',
      title: 'Name',
      description: 'The name.',
      default: 'anon',
      examples: ['ada'],
    });
  });

  it('leaves @ApiPropertyOptional properties out of required, without making them nullable', () => {
    const schema = schemas().Annotated!;
    expect(schema.required).not.toContain('nickname');
    expect(schema.required).toContain('name');
    expect(schema.properties?.nickname).toEqual({ type: 'string', description: 'Left out when unknown.' });
  });

  it('reads enums, JSON types and bounds, with 3.0 boolean exclusive bounds written the 3.1 way', () => {
    const { level, count, code } = schemas().Annotated!.properties!;
    expect(level).toEqual({ type: 'integer', enum: [1, 2] });
    expect(count).toEqual({ type: 'integer', exclusiveMinimum: 0 });
    expect(code).toEqual({ type: 'string', pattern: '^[a-z]+$', minLength: 1, maxLength: 5, deprecated: true });
  });

  it('takes array item types and item enums from type: [Class] and isArray', () => {
    const { tags, letters } = schemas().Annotated!.properties!;
    expect(tags).toEqual({ type: 'array', items: { $ref: '#/components/schemas/Tag' } });
    expect(letters).toEqual({ type: 'array', items: { type: 'string', enum: ['a', 'b'] } });
    expect(schemas().Tag).toEqual({
      type: 'object',
      properties: { label: { type: 'string', description: 'The label.' } },
      required: ['label'],
    });
  });

  it('lets @WebhookProperty override it, and nullable and readOnly apply', () => {
    const { label, main, id } = schemas().Annotated!.properties!;
    expect(label).toEqual({ type: 'string', description: 'Mine wins.' });
    expect(main).toEqual({ anyOf: [{ $ref: '#/components/schemas/Tag' }, { type: 'null' }] });
    expect(id).toEqual({ type: 'string', readOnly: true });
  });

  it('is read without loading @nestjs/swagger: nothing in lib/schema imports @nestjs', () => {
    const dir = join(__dirname, '..', '..', 'lib', 'schema');
    const sources = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    for (const file of sources) {
      expect(readFileSync(join(dir, file), 'utf8')).not.toMatch(/(?:from|require\()\s*'@nestjs\//);
    }
  });
});
