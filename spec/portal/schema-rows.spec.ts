import { Type } from 'class-transformer';
import { IsArray, IsEnum, IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { MemoryEndpointStore, Webhook, WebhookAdmin, WebhookClient, WebhookProperty } from 'hookspec';
import { afterAll, describe, expect, it } from 'vitest';
import { schemaRows } from '../../portal/src/schema-rows';
import type { JsonSchema } from '../../portal/src/wire';

/*
 * The event catalogue's field table, from the schemas the management API really answers: nested classes
 * (through $defs), arrays of them, optional and nullable fields, enums, formats and bounds.
 */

class LineItem {
  @IsString() @WebhookProperty({ description: 'Your product id.' }) sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

class Address {
  @IsString() city!: string;
}

enum Channel {
  Web = 'web',
  Store = 'store',
}

@Webhook('order.placed', { summary: 'Order placed' })
class OrderPlaced {
  @IsString() order_id!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => LineItem) items!: LineItem[];
  @IsOptional() @ValidateNested() @Type(() => Address) @WebhookProperty({ nullable: true }) shipping?: Address | null;
  @IsEnum(Channel) channel!: Channel;
  @Type(() => Date) placed_at!: Date;
}

describe('the event catalogue field table', () => {
  const client = new WebhookClient({ webhooks: [OrderPlaced], endpoints: new MemoryEndpointStore() });
  const admin = new WebhookAdmin(client);
  afterAll(async () => {
    await admin.close();
    await client.close();
  });

  it('lists every field with its path, type, whether it is required and its description', async () => {
    const [type] = await admin.eventTypes();
    const rows = schemaRows(type?.schema as JsonSchema);
    expect(rows.map((row) => [row.path, row.type, row.required])).toEqual([
      ['order_id', 'string', true],
      ['items', 'array of object', true],
      ['items[].sku', 'string', true],
      ['items[].quantity', 'integer', true],
      ['shipping', 'object or null', false],
      ['shipping.city', 'string', true],
      ['channel', 'one of "web", "store"', true],
      ['placed_at', 'string (date-time)', true],
    ]);
    expect(rows.find((row) => row.path === 'items[].sku')?.description).toBe('Your product id.');
    expect(rows.find((row) => row.path === 'items[].quantity')?.description).toBe('At least 1.');
  });

  it('stops at a schema that refers to itself instead of recursing forever', () => {
    const node: JsonSchema = {
      type: 'object',
      properties: { child: { $ref: '#/$defs/Node' } },
      $defs: { Node: { type: 'object', properties: { child: { $ref: '#/$defs/Node' } } } },
    };
    const rows = schemaRows(node);
    expect(rows.length).toBe(9);
    expect(rows[0]).toEqual({ path: 'child', type: 'object', required: false, description: '' });
    expect(rows[8]?.path).toBe('child.child.child.child.child.child.child.child.child');
  });
});
