import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { buildOpenApi, Payload, Webhook } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { componentsOf } from '../support/schema-of';

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
    class Trees {
      @Webhook('tree.planted') @Payload(TreeNode) planted(): void {}
    }
    const document = buildOpenApi({ webhooks: [Trees] });
    expect(document.webhooks?.['tree.planted']?.post?.requestBody).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/TreeNode' } } },
    });
    expect(componentsOf(TreeNode)).toEqual({
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
    expect(componentsOf(Author)).toEqual({
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
    const fromAuthor = componentsOf(Author);
    const fromBook = componentsOf(Book);
    expect(fromBook).toEqual(fromAuthor);
    expect(JSON.stringify(fromBook)).toBe(JSON.stringify(fromAuthor));
  });
});

describe('one document, many payloads', () => {
  it('builds a class shared by several payloads once', () => {
    class Shelf {
      @ValidateNested({ each: true }) @Type(() => Book) books!: Book[];
    }
    const before = componentsOf(Author);
    const together = componentsOf(Author, Shelf, Author);
    expect(Object.keys(together)).toEqual(['Author', 'Book', 'Shelf']);
    expect(together.Book).toEqual(before.Book);
    expect(together.Author).toEqual(before.Author);
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
