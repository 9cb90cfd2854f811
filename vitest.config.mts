import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SummaryReporter } from './spec/support/summary-reporter.mjs';

export default defineConfig({
  resolve: { alias: { hookspec: fileURLToPath(new URL('./lib/index.ts', import.meta.url)) } },
  test: {
    include: ['spec/**/*.spec.ts'],
    setupFiles: ['reflect-metadata'],
    reporters: ['default', new SummaryReporter()],
  },
});
