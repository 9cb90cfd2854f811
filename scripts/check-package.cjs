// Checks the package as users get it, from the tarball that `npm pack` makes of the built dist/:
//  1. @arethetypeswrong/cli: every entry's types resolve under node10, node16 (CJS and ESM) and bundler;
//  2. publint: package.json's fields point at files that exist, in the right format;
//  3. the consumer projects of spec/package/consumers (each with its own locked TypeScript and peers)
//     install the tarball and compile their sources with skipLibCheck false under every resolution mode,
//     then run a real request through each adapter on the peer versions they lock.
// Run after `npm run build` (npm test does). Exits non-zero when any check fails, naming it and its output.
const { execFile } = require('node:child_process');
const { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const consumers = join(root, 'spec', 'package', 'consumers');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/**
 * The resolution modes a user's tsconfig may have. node16 compiles each source twice in one program: as
 * .ts (CommonJS, the consumers' package.json says so) and as a .mts copy (an ES module). node10 is gone
 * from TypeScript 7 (deprecated in 6).
 */
const MODES = {
  node10: { module: 'commonjs', moduleResolution: 'node10' },
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'preserve', moduleResolution: 'bundler' },
};

/**
 * Each consumer project, the modes it compiles in, and its sources (from consumers/src). `bare` has none
 * of the optional peers: the root entry and hookspec/sqlite (whose declarations name no better-sqlite3
 * type) must compile without them. `runs`: the node16 build is emitted to out/ and these files of it run:
 * a real request through each adapter, and @ApiProperty read, on the project's peer versions.
 */
const ALL = ['root.ts', 'sqlite.ts', 'entries.ts'];
const RUNS = ['smoke.js', 'swagger.js'];
const PROJECTS = [
  { name: 'ts5.9', modes: ['node10', 'node16', 'bundler'], sources: [...ALL, 'smoke.ts', 'swagger.ts'], runs: RUNS },
  // No @nestjs/swagger: its 12.0 declares the peer typescript ^5.5 || ^6, which npm refuses beside 7.
  { name: 'ts7', modes: ['node16', 'bundler'], sources: [...ALL, 'smoke.ts'], runs: ['smoke.js'] },
  { name: 'bare', modes: ['node16', 'bundler'], sources: ['root.ts', 'sqlite.ts'], runs: [] },
];

/** Runs a command to its end; a failure names `what` and shows the command's output. */
function run(command, args, cwd, what) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (error) reject(new Error(`${what} failed:\n${output || error.message}`));
      else resolve({ output, seconds: ((Date.now() - started) / 1000).toFixed(1) });
    });
  });
}

/** Installs the tarball into a copy of one consumer project and compiles its sources in each mode. */
async function checkConsumer(project, tarball, temp) {
  const dir = join(temp, project.name);
  cpSync(join(consumers, project.name), dir, { recursive: true });
  cpSync(join(consumers, 'src'), join(dir, 'src'), { recursive: true });
  const installed = await run(
    'npm',
    ['ci', '--ignore-scripts', '--no-audit', '--no-fund'],
    dir,
    `npm ci in ${project.name}`,
  );
  // Not saved: the committed lockfile pins the project's own packages; the tarball changes with every build.
  const install = ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', tarball];
  await run('npm', install, dir, `installing the tarball in consumer ${project.name}`);
  const typescript = JSON.parse(readFileSync(join(dir, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
  for (const source of project.sources)
    cpSync(join(dir, 'src', source), join(dir, 'src', source.replace(/\.ts$/, '.mts')));
  const results = await Promise.all(
    project.modes.map(async (mode) => {
      const files = project.sources.flatMap((source) =>
        mode === 'node16' ? [`src/${source}`, `src/${source.replace(/\.ts$/, '.mts')}`] : [`src/${source}`],
      );
      const emit = project.runs.length > 0 && mode === 'node16' ? { noEmit: false, outDir: 'out', rootDir: 'src' } : {};
      const compilerOptions = { ...MODES[mode], ...COMMON, ...emit };
      writeFileSync(join(dir, `tsconfig.${mode}.json`), JSON.stringify({ compilerOptions, files }));
      const tsc = join(dir, 'node_modules', '.bin', 'tsc');
      const what = `tsc (TypeScript ${typescript}, moduleResolution ${mode}) in consumer ${project.name}`;
      const compiled = await run(tsc, ['-p', `tsconfig.${mode}.json`], dir, what);
      return `${mode} ok (${compiled.seconds} s)`;
    }),
  );
  for (const file of project.runs) {
    const ran = await run(process.execPath, [`out/${file}`], dir, `node out/${file} in consumer ${project.name}`);
    results.push(`${file}: ${ran.output}`);
  }
  return `consumer ${project.name} (TypeScript ${typescript}, install ${installed.seconds} s): ${results.join(', ')}`;
}

/** What every consumer's tsconfig says besides the module settings: strict, and every .d.ts checked. */
const COMMON = {
  target: 'ES2022',
  lib: ['ES2022'],
  // TypeScript 6 and later include no @types package unless it is listed.
  types: ['node'],
  strict: true,
  skipLibCheck: false,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  noEmit: true,
};

async function main() {
  const temp = mkdtempSync(join(tmpdir(), 'hookspec-package-'));
  try {
    // dist/ is already built: --ignore-scripts skips prepack's second build.
    const packed = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', temp],
      root,
      'npm pack',
    );
    const tarball = join(temp, JSON.parse(packed.output.slice(packed.output.indexOf('[')))[0].filename);
    const checks = [
      run(bin('attw'), [tarball, '--format', 'table-flipped', '--no-color'], root, 'attw (are the types wrong)').then(
        ({ output }) => `attw: ${/No problems found/.test(output) ? 'no problems found' : output}`,
      ),
      run(bin('publint'), ['--strict'], root, 'publint').then(({ output }) => `publint: ${output.split('\n').at(-1)}`),
      ...PROJECTS.map((project) => checkConsumer(project, tarball, temp)),
    ];
    const outcomes = await Promise.allSettled(checks);
    for (const outcome of outcomes)
      if (outcome.status === 'fulfilled') console.log(`check-package: ${outcome.value}`);
      else console.error(`check-package: ${outcome.reason.message}`);
    if (outcomes.some((outcome) => outcome.status === 'rejected')) process.exitCode = 1;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`check-package: ${error.message}`);
  process.exitCode = 1;
});
