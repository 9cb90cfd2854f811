import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { DocumentRequest } from '../document-request';
import { renderDocument } from '../render-document';

/** `hookspec generate <module...> --out openapi.json`: writes the document and says where it went. */
export async function generateCommand(
  request: DocumentRequest,
  io: { cwd: string; stdout: (line: string) => void },
): Promise<number> {
  const { text, document } = await renderDocument(request.modules, request.out, request, io.cwd);
  const file = resolve(io.cwd, request.out);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  const names = Object.keys(document.webhooks ?? {});
  const schemas = Object.keys(document.components?.schemas ?? {}).length;
  io.stdout(
    `hookspec: wrote ${relative(io.cwd, file) || file}: ${names.length} webhook${names.length === 1 ? '' : 's'} ` +
      `(${names.join(', ')}), ${schemas} schema${schemas === 1 ? '' : 's'}`,
  );
  return 0;
}
