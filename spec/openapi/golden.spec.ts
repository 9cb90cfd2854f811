import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildOpenApi } from 'hookspec';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { InventoryWebhooks, Subscription } from '../../examples/plain-ts/webhooks';

const goldenPath = join(__dirname, '..', '..', 'examples', 'plain-ts', 'openapi.json');
const golden = readFileSync(goldenPath, 'utf8');

describe('the committed example document', () => {
  it('is exactly what buildOpenApi produces for the examples (regenerate with npm run demo)', () => {
    const document = buildOpenApi({
      webhooks: [Subscription, InventoryWebhooks],
      info: { title: 'Example webhooks', version: '1.0.0' },
    });
    expect(`${JSON.stringify(document, null, 2)}\n`).toBe(golden);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(golden));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('never uses the OpenAPI 3.0 keyword nullable', () => {
    expect(golden).not.toMatch(/"nullable"/);
  });

  it('becomes TypeScript types with openapi-typescript that type-check real bodies', async () => {
    const types = astToString(await openapiTS(JSON.parse(golden)));
    expect(types).toMatch(/export interface webhooks \{/);
    for (const name of ['new-subscription', 'payment-success', 'stock-changed']) expect(types).toContain(`"${name}"`);

    const dir = mkdtempSync(join(tmpdir(), 'hookspec-types-'));
    writeFileSync(join(dir, 'api.ts'), types);
    writeFileSync(
      join(dir, 'use.ts'),
      [
        "import type { webhooks, components } from './api';",
        "type Body = webhooks['new-subscription']['post']['requestBody']['content']['application/json'];",
        "export const ok: Body = { username: 'ada', monthly_fee: 9.99, start_date: '2026-01-01T00:00:00.000Z' };",
        '// @ts-expect-error monthly_fee is required',
        "export const missing: Body = { username: 'ada', start_date: '2026-01-01T00:00:00.000Z' };",
        "export const stock: components['schemas']['StockChange'] = { sku: 'A-1', quantity: 3, direction: 'down' };",
        '// @ts-expect-error direction is an enum',
        "export const wrong: components['schemas']['StockChange'] = { sku: 'A-1', quantity: 3, direction: 'sideways' };",
      ].join('\n'),
    );
    const program = ts.createProgram([join(dir, 'use.ts')], { strict: true, noEmit: true, skipLibCheck: true });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  }, 60_000);
});
