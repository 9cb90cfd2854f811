// Type-checks every ```ts block of README.md and docs/**/*.md, each as its own module, against lib/
// (imports of 'hookspec' resolve to the source). A snippet that does not compile fails `npm run typecheck`.
// Named blocks share one folder: give them names that are unique across all pages.
const { execFileSync } = require('node:child_process');
const { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const out = join(root, '.doc-snippets');

function markdownFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const files = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))];
const snippets = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const pattern = /^```(?:ts|typescript)\n([\s\S]*?)^```/gm;
  let match;
  while ((match = pattern.exec(text)) !== null) {
    const line = text.slice(0, match.index).split('\n').length + 1;
    // A block whose first line is `// file: webhooks.ts` is written under that name, so that another
    // block of the same page can import it (`from './webhooks'`).
    const named = /^\/\/ file: ([\w.-]+\.ts)\n/.exec(match[1]);
    const name = named ? named[1] : `${relative(root, file).replace(/[^a-zA-Z0-9]+/g, '_')}_L${line}.ts`;
    writeFileSync(join(out, name), `// ${relative(root, file)}:${line}\n${match[1]}\nexport {};\n`);
    snippets.push(name);
  }
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify(
    {
      extends: '../tsconfig.json',
      compilerOptions: {
        noEmit: true,
        // node20: CommonJS that may import ES-module-only packages (Nest 12) through require(esm), as apps do.
        module: 'node20',
        moduleResolution: 'node16',
        noUnusedLocals: false,
        noUnusedParameters: false,
        baseUrl: '..',
        // The framework entries, to the source as for 'hookspec' (without these they resolve through
        // package.json's exports to dist/, which is missing or stale before a build).
        paths: {
          hookspec: ['./lib/index.ts'],
          'hookspec/express': ['./lib/frameworks/express/index.ts'],
          'hookspec/fastify': ['./lib/frameworks/fastify/index.ts'],
          'hookspec/nestjs': ['./lib/frameworks/nestjs/index.ts'],
          'hookspec/sqlite': ['./lib/queues/sqlite/index.ts'],
          'hookspec/bullmq': ['./lib/queues/bullmq/index.ts'],
          'hookspec/postgres': ['./lib/queues/postgres/index.ts'],
        },
      },
      include: ['*.ts'],
    },
    null,
    2,
  ),
);
if (snippets.length === 0) {
  console.log('doc snippets: none found');
  process.exit(0);
}
try {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(out, 'tsconfig.json')], {
    stdio: 'inherit',
  });
} catch {
  console.error(`doc snippets: type errors above (files in ${relative(root, out)}/ name the source file and line)`);
  process.exit(1);
}
console.log(`doc snippets: ${snippets.length} type-checked`);
