import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * What scripts/build-portal.cjs writes, as the package ships it: one minified script and one stylesheet,
 * with nothing that the portal's CSP would refuse or that would load from elsewhere.
 */

const root = join(__dirname, '..', '..');
const directory = mkdtempSync(join(tmpdir(), 'hookspec-portal-build-'));

describe('the portal build', () => {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-portal.cjs'), directory]);
  const script = readFileSync(join(directory, 'portal.js'), 'utf8');
  const css = readFileSync(join(directory, 'portal.css'), 'utf8');
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('writes portal.js and portal.css only, minified, without source maps', () => {
    expect(readdirSync(directory).sort()).toEqual(['portal.css', 'portal.js']);
    expect(script).not.toContain('sourceMappingURL');
    expect(css).not.toContain('sourceMappingURL');
    // Minified (the script's only line breaks are inside the guide's code snippets), and small.
    expect(css.split('\n').length).toBeLessThan(5);
    expect(script.length).toBeLessThan(100_000);
  });

  it('loads no code at run time and nothing from another origin', () => {
    expect(script).not.toMatch(/\beval\(|new Function\(|\bimport\(/);
    expect(css).not.toMatch(/@import|url\(/);
    // The only absolute URLs: the DOM's namespaces (in Preact) and the guide's links, none of them fetched.
    const urls = [...script.matchAll(/https?:\/\/[^"'`\s)]+/g)].map((match) => match[0]);
    expect([...new Set(urls)].filter((url) => !url.startsWith('http://www.w3.org/')).sort()).toEqual([
      'https://github.com/standard-webhooks/standard-webhooks/tree/main/libraries',
      'https://www.standardwebhooks.com/',
    ]);
  });

  it("names the package's version as the user-agent hookspec sends", () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(script).toContain(`hookspec/${version}`);
  });
});
