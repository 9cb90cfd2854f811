// Builds the customer portal's page (portal/src, Preact) into dist/portal/portal.js and portal.css: one
// minified script and one stylesheet, no source maps, nothing loaded from elsewhere, so that the page runs
// under the strict Content-Security-Policy the admin routers serve it with (script-src 'self',
// style-src 'self', connect-src 'self'). Run by `npm run build` after tsc; the routers serve these files.
const { build } = require('esbuild');
const { readFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
// `node scripts/build-portal.cjs [directory]`: the browser specs build into a directory of their own.
const out = process.argv[2] ?? join(root, 'dist', 'portal');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

async function main() {
  mkdirSync(out, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'portal', 'src', 'main.tsx')],
    outfile: join(out, 'portal.js'),
    tsconfig: join(root, 'portal', 'tsconfig.json'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    // The user-agent hookspec sends, as the attempt view shows it.
    define: { HOOKSPEC_VERSION: JSON.stringify(version), 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const css = await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'portal', 'portal.css')],
    outfile: join(out, 'portal.css'),
    bundle: true,
    minify: true,
    sourcemap: false,
    target: ['chrome100', 'firefox100', 'safari15'],
    logLevel: 'warning',
  });
  if (result.errors.length > 0 || css.errors.length > 0) process.exit(1);
  // The page may fetch only its own API: a URL to another origin in the bundle would be a request the CSP
  // blocks at run time, so it fails the build instead. Links (href) to documentation are not requests.
  const script = readFileSync(join(out, 'portal.js'), 'utf8');
  if (/\bimport\(|\beval\(|new Function\(/.test(script)) {
    console.error(
      'build-portal: the bundle loads code at run time (import(), eval, new Function); the CSP forbids it.',
    );
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
