// The API report of every entry of the package (api/<entry>.api.md), made by API Extractor from the built
// declarations in dist/: an export added, removed or changed is a visible diff in review.
//   node scripts/api-report.cjs          rewrites the reports (npm run api:report)
//   node scripts/api-report.cjs --check  fails when dist's declarations differ from them (npm run api:check)
// --check needs a build first (npm test builds before it); npm run api:report builds itself.
const { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, relative } = require('node:path');
const { createTwoFilesPatch } = require('diff');
const { Extractor, ExtractorConfig } = require('@microsoft/api-extractor');

const root = join(__dirname, '..');
const reports = join(root, 'api');
const check = process.argv.includes('--check');

/** Every entry of package.json's exports but package.json itself, with its report's name. */
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entries = Object.entries(pkg.exports)
  .filter(([subpath]) => subpath !== './package.json')
  .map(([subpath, target]) => ({
    name: subpath === '.' ? 'hookspec' : `hookspec${subpath.slice(1)}`,
    report: subpath === '.' ? 'hookspec' : `hookspec-${subpath.slice(2)}`,
    declarations: join(root, target.require.types),
  }));

const temp = mkdtempSync(join(tmpdir(), 'hookspec-api-'));
mkdirSync(join(temp, 'unused'));
mkdirSync(join(temp, 'out'));
const stale = [];
try {
  let rootExports = new Set();
  for (const entry of entries) {
    if (!existsSync(entry.declarations)) {
      console.error(`api report: ${relative(root, entry.declarations)} is missing: run \`npm run build\` first.`);
      process.exit(2);
    }
    const configFile = join(temp, `${entry.report}.json`);
    writeFileSync(configFile, JSON.stringify(configFor(entry)));
    const config = ExtractorConfig.prepare({
      configObject: ExtractorConfig.loadFile(configFile),
      configObjectFullPath: join(root, 'api-extractor.json'),
      packageJsonFullPath: join(root, 'package.json'),
    });
    const result = Extractor.invoke(config, { localBuild: true, messageCallback: quiet });
    if (!result.succeeded) {
      console.error(`api report: API Extractor failed on ${entry.name} (${result.errorCount} errors above).`);
      process.exit(1);
    }
    const report = tidy(readFileSync(join(temp, 'out', `${entry.report}.api.md`), 'utf8'), entry, rootExports);
    if (entry.name === 'hookspec') rootExports = exportedNames(report);
    const committed = join(reports, `${entry.report}.api.md`);
    const before = existsSync(committed) ? readFileSync(committed, 'utf8') : '';
    if (before === report) {
      if (!check) console.log(`api report: api/${entry.report}.api.md unchanged`);
    } else if (check) {
      console.error(createTwoFilesPatch(`api/${entry.report}.api.md`, `${entry.name} (dist)`, before, report));
      stale.push(entry.name);
    } else {
      mkdirSync(reports, { recursive: true });
      writeFileSync(committed, report);
      console.log(`api report: api/${entry.report}.api.md ${before ? 'updated' : 'created'}`);
    }
  }
  if (stale.length > 0) {
    console.error(
      `api check: the public API of ${stale.join(', ')} differs from the committed report (diff above). ` +
        'If the change is meant, run `npm run api:report` (it builds first) and commit api/.',
    );
    process.exit(1);
  }
  if (check) console.log(`api check: the ${entries.length} entries match api/`);
} finally {
  rmSync(temp, { recursive: true, force: true });
}

/**
 * Names the report after its entry, and drops the forgotten-export warnings about types that the root
 * entry exports: an entry's declarations import them from the root's modules, and users import them from
 * `hookspec`. A warning that stays names a type that no entry exports.
 */
function tidy(report, entry, rootExports) {
  const forgotten = /\(ae-forgotten-export\) The symbol "([^"]+)"/;
  const kept = [];
  for (const line of report
    .replace(/^## API Report File for "hookspec"/, `## API Report File for "${entry.name}"`)
    .split('\n')) {
    const symbol = forgotten.exec(line)?.[1];
    if (symbol !== undefined && rootExports.has(symbol)) continue;
    // The empty comment line that separated a dropped warning from the next comment.
    if (/^\s*\/\/$/.test(line) && !/^\s*\/\/ (Warning|Warnings)/.test(kept.at(-1) ?? '')) continue;
    kept.push(line);
  }
  return kept.join('\n').replace(/\/\/ Warnings were encountered during analysis:\n\/\/\n\n/, '');
}

/** The names a report's entry exports. */
function exportedNames(report) {
  const pattern =
    /^export (?:declare )?(?:abstract )?(?:class|interface|type|function|const|let|enum|namespace) (\w+)/gm;
  return new Set([...report.matchAll(pattern)].map((match) => match[1]));
}

/** API Extractor's settings for one entry: the report only (no rollup, no doc model). */
function configFor(entry) {
  return {
    projectFolder: root,
    mainEntryPointFilePath: entry.declarations,
    newlineKind: 'lf',
    bundledPackages: [],
    compiler: {
      // Only what reading the declarations needs (the project's tsconfig.json includes lib/ and examples/).
      overrideTsconfig: {
        compilerOptions: {
          target: 'ES2022',
          module: 'node16',
          moduleResolution: 'node16',
          lib: ['ES2022'],
          types: ['node'],
          strict: true,
          skipLibCheck: true,
        },
        files: [entry.declarations],
      },
    },
    apiReport: {
      enabled: true,
      reportFileName: entry.report,
      // API Extractor writes to temp/out; this script compares, tidies and writes api/ itself.
      reportFolder: join(temp, 'unused'),
      reportTempFolder: join(temp, 'out'),
      includeForgottenExports: false,
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      compilerMessageReporting: { default: { logLevel: 'warning' } },
      extractorMessageReporting: {
        default: { logLevel: 'warning', addToApiReportFile: true },
        // hookspec marks no release stages (@public/@beta): everything exported is public.
        'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
        // A type used by an export but not exported itself stays in the report as a warning line.
        'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
      },
      tsdocMessageReporting: { default: { logLevel: 'none', addToApiReportFile: false } },
    },
  };
}

/** Keeps API Extractor's progress and report-file lines out of the output; its other warnings still print. */
function quiet(message) {
  const progress = message.logLevel === 'info' || message.logLevel === 'verbose';
  if (progress || message.messageId.startsWith('console-api-report')) message.handled = true;
}
