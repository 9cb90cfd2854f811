import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { DocumentOptions } from '../render-document';
import { renderDocument } from '../render-document';

/** `hookspec check <module...> --out openapi.json`: exit 1 with a diff when the committed file is stale. */
export async function checkCommand(
  modules: string[],
  options: DocumentOptions & { out: string },
  io: { cwd: string; stdout: (line: string) => void; stderr: (line: string) => void },
): Promise<number> {
  const { text } = await renderDocument(modules, options.out, options, io.cwd);
  const file = resolve(io.cwd, options.out);
  const shown = relative(io.cwd, file) || file;
  const regenerate = [
    'hookspec generate',
    ...modules.map(quote),
    '--out',
    quote(options.out),
    ...repeatedOptions(options),
  ].join(' ');
  if (!existsSync(file)) {
    io.stderr(`hookspec: ${shown} does not exist. Create it with: ${regenerate}`);
    return 1;
  }
  const committed = readFileSync(file, 'utf8');
  if (committed === text) {
    io.stdout(`hookspec: ${shown} is up to date`);
    return 0;
  }
  const patch = createTwoFilesPatch(
    `${shown} (committed)`,
    `${shown} (generated)`,
    committed,
    text,
    undefined,
    undefined,
    {
      context: 3,
    },
  );
  io.stderr(`hookspec: ${shown} is stale; the webhooks' declarations changed since it was written.\n${patch}`);
  io.stderr(`hookspec: update it with: ${regenerate}`);
  return 1;
}

/** The options that shape the document, so the suggested command writes exactly what check compares. */
function repeatedOptions(options: DocumentOptions): string[] {
  return [
    ...(options.base !== undefined ? ['--base', quote(options.base)] : []),
    ...(options.title !== undefined ? ['--title', quote(options.title)] : []),
    ...(options.version !== undefined ? ['--version', quote(options.version)] : []),
    ...(options.yaml ? ['--yaml'] : []),
    ...(options.envelope === 'standard' ? ['--envelope', 'standard'] : []),
  ];
}

/** Quotes an argument for a POSIX shell when it needs it. */
function quote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}
