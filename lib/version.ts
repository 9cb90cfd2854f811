import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** This package's version, read from its package.json (two levels up from both lib/ and dist/). */
export const VERSION: string = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;
