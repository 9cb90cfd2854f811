import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { DocumentRequest } from '../document-request';
import { renderDocument } from '../render-document';

/** `hookspec check <module...> --out openapi.json`: exit 1 with a diff when the committed file is stale. */
export async function checkCommand(
  request: DocumentRequest,
  io: { cwd: string; stdout: (line: string) => void; stderr: (line: string) => void },
): Promise<number> {
  const { text } = await renderDocument(request.modules, request.out, request, io.cwd);
  const file = resolve(io.cwd, request.out);
  const shown = relative(io.cwd, file) || file;
  if (!existsSync(file)) {
    io.stderr(`hookspec: ${shown} does not exist. Create it with: ${request.regenerate}`);
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
  io.stderr(`hookspec: update it with: ${request.regenerate}`);
  return 1;
}
