/*
 * The portal's page: an HTML shell and two prebuilt assets (dist/portal/portal.js and portal.css, written by
 * the package's build), served under `{mount}/portal` without authorization, since they hold no data: the
 * page reads its token from the URL fragment and calls the API with it. A strict Content-Security-Policy
 * keeps the page to its own origin: no inline script, no external request.
 */
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WebhookAdminError } from '../../errors';
import type { AdminResponse } from './admin-response';
import { problemResponse } from './admin-response';

export const PORTAL_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Relative URLs, so that the page works wherever the app mounts the router. */
export const PORTAL_SHELL =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" ' +
  'content="width=device-width, initial-scale=1"><title>Webhooks</title><link rel="stylesheet" ' +
  'href="portal/portal.css"></head><body><div id="app"></div><script src="portal/portal.js" defer></script></body></html>';

const SECURITY_HEADERS = {
  'content-security-policy': PORTAL_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const ASSETS: Readonly<Record<string, string>> = {
  'portal.js': 'text/javascript; charset=utf-8',
  'portal.css': 'text/css; charset=utf-8',
};

/** Set by the specs to serve fixture files; the package's own dist/portal/ otherwise. */
let assetDirectoryOverride: string | undefined;

/** Internal, for the specs: serve the assets from `directory` (undefined: the package's again). */
export function usePortalAssetDirectory(directory: string | undefined): void {
  assetDirectoryOverride = directory;
}

/** Whether a path relative to the mount point is the page's, its redirect's or an asset's. */
export function isPortalPagePath(path: string): boolean {
  return path === '/portal' || path === '/portal/' || pageAsset(path) !== undefined;
}

/** The page, an asset, or the redirect of `/portal/`; for a path for which isPortalPagePath holds. */
export async function portalPage(
  method: string,
  path: string,
  report: (error: unknown) => void,
): Promise<AdminResponse> {
  if (method.toUpperCase() !== 'GET') {
    return problemResponse(
      405,
      'method-not-allowed',
      `${method.toUpperCase()} ${path}: the portal's page is served with GET only.`,
      {
        headers: { allow: 'GET' },
      },
    );
  }
  // `{mount}/portal/` -> `{mount}/portal`: the page's relative URLs resolve from the latter. The fragment (the token) stays.
  if (path === '/portal/') return { status: 308, headers: { location: '../portal', 'cache-control': 'no-store' } };
  const asset = pageAsset(path);
  if (asset === undefined) {
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS },
      raw: Buffer.from(PORTAL_SHELL, 'utf8'),
    };
  }
  const file = join(portalAssetDirectory(), asset);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    report(
      new WebhookAdminError(
        'unsupported',
        `The portal's asset ${file} cannot be read: hookspec's package was not built with its portal. Run its build ` +
          '(npm run build), which writes dist/portal/portal.js and portal.css.',
        { cause: error },
      ),
    );
    return problemResponse(
      500,
      'internal-error',
      `The portal's ${asset} is missing from the server: run hookspec's build (npm run build), which writes dist/portal/.`,
    );
  }
  return {
    status: 200,
    headers: { 'content-type': ASSETS[asset] as string, 'cache-control': 'no-cache', ...SECURITY_HEADERS },
    raw: bytes,
  };
}

function pageAsset(path: string): string | undefined {
  const name = path.startsWith('/portal/') ? path.slice('/portal/'.length) : undefined;
  return name !== undefined && Object.hasOwn(ASSETS, name) ? name : undefined;
}

let packageDirectory: string | undefined;

/** Where the assets are read from: the package's dist/portal/, unless a spec said otherwise. */
export function portalAssetDirectory(): string {
  packageDirectory ??= packageRoot(__dirname);
  return assetDirectoryOverride ?? join(packageDirectory, 'dist', 'portal');
}

/**
 * The directory of the nearest package.json named `hookspec` above `from`: the package's root, whether this
 * module runs compiled (dist/management/http) or from source (lib/management/http, in the specs).
 */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'hookspec')
      return dir;
    if (dirname(dir) === dir) return join(from, '..', '..', '..');
  }
}
