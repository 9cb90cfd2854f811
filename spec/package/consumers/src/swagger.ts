// Run by scripts/check-package.cjs in the ts5.9 consumer (compiled to out/swagger.js): hookspec reads the
// metadata that @nestjs/swagger's @ApiProperty records, on the oldest @nestjs/swagger it supports (the
// repository's own specs run the newest). Exits 1 when the description does not reach the schema.
import 'reflect-metadata';
import { IsString } from 'class-validator';
import { buildOpenApi, Webhook } from 'hookspec';

class Refund {
  @IsString() orderId!: string;
}

async function main(): Promise<void> {
  // Imported, not required: @nestjs/swagger 12 is an ES module.
  const { ApiProperty } = await import('@nestjs/swagger');
  ApiProperty({ description: 'The refunded order.' })(Refund.prototype, 'orderId');
  Webhook('order.refund')(Refund);
  const document = buildOpenApi({ webhooks: [Refund], info: { title: 'Shop', version: '1.0.0' } });
  const schema = document.components?.schemas?.Refund as { properties?: Record<string, { description?: string }> };
  const description = schema?.properties?.orderId?.description;
  console.log(`swagger ${description === 'The refunded order.' ? 'description' : `no description (${description})`}`);
  if (description !== 'The refunded order.') process.exitCode = 1;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
