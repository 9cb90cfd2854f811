// Builds the example against the built hookspec package (run `npm run build` at the root first):
// compiles it to dist/, then writes openapi.json, the webhooks' document for subscribers, with the
// hookspec CLI on the compiled webhooks module. `--check` compares instead of writing (for CI).
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  console.error('examples/nestjs-app: build hookspec first (npm run build at the repository root).');
  process.exit(2);
}
const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
run([require.resolve('typescript/bin/tsc'), '-p', join(__dirname, 'tsconfig.build.json')]);
const here = relative(root, __dirname);
run([
  cli,
  process.argv.includes('--check') ? 'check' : 'generate',
  join(here, 'dist', 'webhooks.js'),
  '--out',
  join(here, 'openapi.json'),
  '--title',
  'Shop webhooks',
  '--version',
  '1.0.0',
]);
