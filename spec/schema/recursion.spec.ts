import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { buildOpenApi, Webhook } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { SchemaGenerator } from '../../lib/schema';

class TreeNode {
  @IsString() name!: string;
  @IsOptional() @ValidateNested() @Type(() => TreeNode) parent?: TreeNode;
  @ValidateNested({ each: true }) @Type(() => TreeNode) children!: TreeNode[];
}

class Author {
  @IsString() name!: string;
  @ValidateNested({ each: true }) @Type(() => Book) books!: Book[];
}

class Book {
  @IsString() title!: string;
  @ValidateNested() @Type(() => Author) author!: Author;
}

describe('a self-referencing class', () => {
  it('references itself by $ref and appears once in components', () => {
    const generator = new SchemaGenerator();
    expect(generator.refFor(TreeNode)).toEqual({ $ref: '#/components/schemas/TreeNode' });
    expect(generator.components()).toEqual({
      TreeNode: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          parent: { anyOf: [{ $ref: '#/components/schemas/TreeNode' }, { type: 'null' }] },
          children: { type: 'array', items: { $ref: '#/components/schemas/TreeNode' } },
        },
        required: ['name', 'children'],
      },
    });
  });
});

describe('mutually recursive classes', () => {
  it('reference each other by $ref and each appears once in components', () => {
    const generator = new SchemaGenerator();
    generator.refFor(Author);
    expect(generator.components()).toEqual({
      Author: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          books: { type: 'array', items: { $ref: '#/components/schemas/Book' } },
        },
        required: ['name', 'books'],
      },
      Book: {
        type: 'object',
        properties: { title: { type: 'string' }, author: { $ref: '#/components/schemas/Author' } },
        required: ['title', 'author'],
      },
    });
  });

  it('builds the same components whichever class is reached first', () => {
    const fromAuthor = new SchemaGenerator();
    fromAuthor.refFor(Author);
    const fromBook = new SchemaGenerator();
    fromBook.refFor(Book);
    expect(fromBook.components()).toEqual(fromAuthor.components());
    expect(JSON.stringify(fromBook.components())).toBe(JSON.stringify(fromAuthor.components()));
  });
});

describe('one generator, many payloads', () => {
  it('builds a class shared by several payloads once', () => {
    class Shelf {
      @ValidateNested({ each: true }) @Type(() => Book) books!: Book[];
    }
    const generator = new SchemaGenerator();
    const first = generator.refFor(Author);
    const before = structuredClone(generator.components());
    generator.refFor(Shelf);
    expect(generator.refFor(Author)).toEqual(first);
    expect(Object.keys(generator.components())).toEqual(['Author', 'Book', 'Shelf']);
    expect(generator.components().Book).toEqual(before.Book);
  });

  it('terminates in buildOpenApi for recursive payloads', () => {
    @Webhook('tree.changed')
    class TreeChanged {
      @ValidateNested() @Type(() => TreeNode) root!: TreeNode;
      @IsOptional() @ValidateNested() @Type(() => Author) editor?: Author;
    }
    const document = buildOpenApi({ webhooks: [TreeChanged] });
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(['Author', 'Book', 'TreeChanged', 'TreeNode']);
  });
});
